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
 * The expressions are the dialect's ({@link Dialect#checksumRowText}, {@link Dialect#rowHash64},
 * ...): on MariaDB and MySQL a row's text is {@code CONCAT_WS('|', <null flags>, col1, col2, ...)},
 * its hash the first 64 bits of MD5, and a range's fingerprint the row count, the SUM and the
 * BIT_XOR of the row hashes, which do not depend on row order.
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

  /** The row count and the aggregates of the 64-bit row hashes of a range. */
  SqlFragment rangeChecksum(TableName table, KeyRange range) {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    String sql =
        "SELECT "
            + dialect.rowHashAggregates("h")
            + " FROM (SELECT "
            + dialect.rowHash64(dialect.checksumRowText(columns))
            + " AS h FROM "
            + dialect.quote(table)
            + " WHERE "
            + where.sql()
            + ") hashed";
    return new SqlFragment(sql, where.parameters());
  }

  /** Each row's key and hash, in key order: to find the differing keys of a mismatching range. */
  SqlFragment rowHashes(TableName table, KeyRange range) {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    String sql =
        "SELECT "
            + dialect.quotedList(keyColumns)
            + ", "
            + dialect.rowHash(dialect.checksumRowText(columns))
            + " FROM "
            + dialect.quote(table)
            + " WHERE "
            + where.sql()
            + " ORDER BY "
            + dialect.quotedList(keyColumns);
    return new SqlFragment(sql, where.parameters());
  }
}
