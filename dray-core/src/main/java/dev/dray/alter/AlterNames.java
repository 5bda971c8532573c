package dev.dray.alter;

import dev.dray.DrayException;
import dev.dray.db.TableName;

/**
 * The tables of an alter of {@code table}: the new one it copies into ({@code _T_new}) and the name
 * the original keeps after the cut-over ({@code _T_old}).
 */
record AlterNames(TableName table, TableName newTable, TableName oldTable) {
  static final int MAX_NAME_LENGTH = 64;

  static AlterNames of(TableName table) {
    String name = table.table();
    if (name.length() + 5 > MAX_NAME_LENGTH) {
      throw DrayException.usage(
          "table name "
              + name
              + " is too long for its new table _"
              + name
              + "_new (at most "
              + MAX_NAME_LENGTH
              + " characters)");
    }
    return new AlterNames(
        table,
        new TableName(table.schema(), "_" + name + "_new"),
        new TableName(table.schema(), "_" + name + "_old"));
  }

  /** The name of the alter's checkpoint rows. */
  String jobId() {
    return "alter " + table;
  }

  /** The job lock's key: one alter of a table at a time. */
  String lockKey() {
    return "dray:alter:" + table;
  }
}
