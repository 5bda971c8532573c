package dev.dray.plan;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialect;
import dev.dray.db.PartitionInfo;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Walks a table's key in order and yields consecutive ranges of about {@code chunkRows} rows each,
 * with keyset queries ({@code ORDER BY key LIMIT 1 OFFSET n}). Works for composite and non-integer
 * keys and for skewed or gappy key distributions, unlike min/max arithmetic. Lazy: each {@link
 * #next()} runs one query, so a producer can stay just ahead of the workers.
 */
public final class KeysetBoundaries implements Iterator<KeyRange> {
  private final Connection connection;
  private final Dialect dialect;
  private final TableName table;
  private final PartitionInfo partition;
  private final List<String> keyColumns;
  private volatile long chunkRows;
  private final KeyRange bounds;

  private List<Object> nextLower;
  private boolean done;

  /**
   * @param bounds the part of the key to walk ({@link KeyRange#ALL} for the whole table): the first
   *     range starts at its lower bound, the last ends at its upper bound
   */
  public KeysetBoundaries(
      Connection connection,
      Dialect dialect,
      TableName table,
      PartitionInfo partition,
      List<String> keyColumns,
      long chunkRows,
      KeyRange bounds) {
    if (keyColumns.isEmpty()) {
      throw new IllegalArgumentException("no key columns");
    }
    this.connection = connection;
    this.dialect = dialect;
    this.table = table;
    this.partition = partition;
    this.keyColumns = List.copyOf(keyColumns);
    this.chunkRows = Math.max(1, chunkRows);
    this.bounds = bounds;
    this.nextLower = bounds.lower();
  }

  /** Changes the size of the ranges still to come (adaptive chunking). */
  public void setChunkRows(long rows) {
    this.chunkRows = Math.max(1, rows);
  }

  @Override
  public boolean hasNext() {
    return !done;
  }

  @Override
  public KeyRange next() {
    if (done) {
      throw new NoSuchElementException();
    }
    List<Object> upper = findBoundary();
    KeyRange range = new KeyRange(nextLower, upper == null ? bounds.upper() : upper);
    if (upper == null) {
      done = true;
    }
    nextLower = upper;
    return range;
  }

  /**
   * A key value as a time-zone-free Java value: DATETIME as LocalDateTime rather than a Timestamp
   * in the JVM's zone (which has no 02:30 on a spring-forward day), so bounds bind back exactly.
   */
  private static Object keyValue(ResultSet rs, int index) throws SQLException {
    int type = rs.getMetaData().getColumnType(index);
    if (type == java.sql.Types.TIMESTAMP) {
      return rs.getObject(index, java.time.LocalDateTime.class);
    }
    if (type == java.sql.Types.DATE) {
      return rs.getObject(index, java.time.LocalDate.class);
    }
    return rs.getObject(index);
  }

  /** The first key at least {@code chunkRows} rows after the current lower bound, or null. */
  private List<Object> findBoundary() {
    List<Object> parameters = new ArrayList<>();
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(dialect.quotedList(keyColumns))
            .append(" FROM ")
            .append(dialect.quote(table));
    if (partition != null) {
      sql.append(" PARTITION (").append(dialect.quote(partition.name())).append(')');
    }
    KeyRange remaining = new KeyRange(nextLower, bounds.upper());
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, remaining);
    sql.append(" WHERE ").append(where.sql());
    parameters.addAll(where.parameters());
    sql.append(" ORDER BY ");
    for (int i = 0; i < keyColumns.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(dialect.quote(keyColumns.get(i)));
    }
    sql.append(" LIMIT 1 OFFSET ").append(chunkRows);
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      new SqlFragment("", parameters).bind(statement, 1);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        List<Object> key = new ArrayList<>(keyColumns.size());
        for (int i = 1; i <= keyColumns.size(); i++) {
          key.add(keyValue(rs, i));
        }
        return key;
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TASK_FAILED,
          "cannot find chunk boundaries of "
              + table
              + (partition == null ? "" : " partition " + partition.label())
              + ": "
              + SqlErrors.describe(e),
          e);
    }
  }
}
