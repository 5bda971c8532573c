package dev.dray.change;

import static java.util.Objects.requireNonNull;

import dev.dray.db.TableName;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One row changed by a source transaction, with full row images decoded to values a JDBC statement
 * binds as they are (numbers, text, bytes, temporal values as text in the column's own form).
 * Values are in the table's column order ({@link FollowedTable#columns()}).
 *
 * @param table the source table
 * @param kind insert, update or delete
 * @param before the row before the change (update, delete), else null
 * @param after the row after the change (insert, update), else null
 */
public record RowChange(TableName table, ChangeKind kind, List<Object> before, List<Object> after) {
  public RowChange {
    requireNonNull(table, "table is null");
    requireNonNull(kind, "kind is null");
    if ((kind == ChangeKind.INSERT) != (before == null)
        || (kind == ChangeKind.DELETE) != (after == null)) {
      throw new IllegalArgumentException(kind + " change with the wrong row images");
    }
    before = before == null ? null : Collections.unmodifiableList(Arrays.asList(before.toArray()));
    after = after == null ? null : Collections.unmodifiableList(Arrays.asList(after.toArray()));
  }

  public static RowChange insert(TableName table, List<Object> after) {
    return new RowChange(table, ChangeKind.INSERT, null, after);
  }

  public static RowChange update(TableName table, List<Object> before, List<Object> after) {
    return new RowChange(table, ChangeKind.UPDATE, before, after);
  }

  public static RowChange delete(TableName table, List<Object> before) {
    return new RowChange(table, ChangeKind.DELETE, before, null);
  }
}
