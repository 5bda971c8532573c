package dev.dray.copy;

import dev.dray.db.ColumnInfo;
import dev.dray.db.Dialect;
import dev.dray.db.TableName;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import java.util.List;

/**
 * The SQL that fingerprints rows on the server, so verify moves counts and hashes instead of rows.
 * A row's text is {@code CONCAT_WS('|', <null flags>, col1, col2, ...)}: the flags tell a NULL from
 * an empty string (CONCAT_WS skips NULLs). Its hash is the first 64 bits of MD5; a range's
 * fingerprint is the row count, the SUM and the BIT_XOR of the row hashes, which do not depend on
 * row order.
 */
final class RowChecksum {
  private final Dialect dialect;
  private final List<ColumnInfo> columns;
  private final List<String> keyColumns;

  /**
   * @param columns the compared columns as the source declares them (their types pick the canonical
   *     text)
   */
  RowChecksum(Dialect dialect, List<ColumnInfo> columns, List<String> keyColumns) {
    this.dialect = dialect;
    this.columns = List.copyOf(columns);
    this.keyColumns = List.copyOf(keyColumns);
  }

  /** {@code SELECT COUNT, SUM, BIT_XOR} of the row hashes of a range. */
  SqlFragment rangeChecksum(TableName table, KeyRange range) {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    String sql =
        "SELECT COUNT(*), COALESCE(SUM(h), 0), COALESCE(BIT_XOR(h), 0) FROM (SELECT CAST(CONV(LEFT(MD5("
            + rowText()
            + "), 16), 16, 10) AS UNSIGNED) AS h FROM "
            + dialect.quote(table)
            + " WHERE "
            + where.sql()
            + ") hashed";
    return new SqlFragment(sql, where.parameters());
  }

  /** Each row's key and MD5, in key order: to find the differing keys of a mismatching range. */
  SqlFragment rowHashes(TableName table, KeyRange range) {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    String sql =
        "SELECT "
            + dialect.quotedList(keyColumns)
            + ", MD5("
            + rowText()
            + ") FROM "
            + dialect.quote(table)
            + " WHERE "
            + where.sql()
            + " ORDER BY "
            + dialect.quotedList(keyColumns);
    return new SqlFragment(sql, where.parameters());
  }

  private String rowText() {
    StringBuilder flags = new StringBuilder("CONCAT(");
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      String quoted = dialect.quote(columns.get(i).name());
      flags.append(i == 0 ? "" : ", ").append("ISNULL(").append(quoted).append(')');
      values.append(", ").append(canonical(columns.get(i), quoted));
    }
    flags.append(')');
    return "CONCAT_WS('|', " + flags + values + ")";
  }

  /**
   * The column as text that does not depend on the declared width: a DATETIME(3) value and the same
   * value in a DATETIME(6) column, or 1.5 in DECIMAL(5,1) and DECIMAL(8,3), hash alike.
   */
  private static String canonical(ColumnInfo column, String quoted) {
    return switch (column.dataType()) {
      case "datetime", "timestamp" -> "DATE_FORMAT(" + quoted + ", '%Y-%m-%d %H:%i:%s.%f')";
      case "time" -> "TIME_FORMAT(" + quoted + ", '%H:%i:%s.%f')";
      case "decimal" -> "CAST(" + quoted + " AS DECIMAL(65, 30))";
      default -> quoted;
    };
  }
}
