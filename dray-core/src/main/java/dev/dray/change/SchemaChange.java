package dev.dray.change;

import static java.util.Objects.requireNonNull;

import dev.dray.db.BinlogPosition;
import dev.dray.db.TableName;

/**
 * A schema change (ALTER, TRUNCATE, DROP, RENAME, partition maintenance) on a followed table, as a
 * QUERY event of the binary log carries it: it writes no row events, so a copy of the table can
 * only be made current again from a fresh snapshot.
 *
 * @param table the followed table the statement names
 * @param sql the statement
 * @param start the position before the statement: everything before it was handed out
 * @param end the position after it: a new stream for the changed table starts here
 */
public record SchemaChange(TableName table, String sql, BinlogPosition start, BinlogPosition end) {
  public SchemaChange {
    requireNonNull(table, "table is null");
    requireNonNull(sql, "sql is null");
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
  }
}
