package dev.dray.copy;

import dev.dray.db.BinlogPosition;
import dev.dray.db.Dialect;
import dev.dray.db.TableName;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a deduplicated batch of row changes into the target table, with the binlog position it
 * reaches, in one transaction: deletes by key, then full row images with {@code REPLACE} (the log's
 * image wins over whatever the table holds), {@value #ROWS_PER_STATEMENT} rows per statement.
 */
final class TableApplier implements AutoCloseable {
  static final int ROWS_PER_STATEMENT = 500;

  private final Connection target;
  private final Dialect dialect;
  private final TableName table;
  private final List<String> columns;
  private final int[] sourceIndexes;
  private final List<String> keyColumns;
  private final BinlogPositionStore positions;

  /**
   * @param columns the target columns written, by name
   * @param sourceIndexes for each of {@code columns}, its index in the source row image
   */
  TableApplier(
      Connection target,
      Dialect dialect,
      TableName table,
      List<String> columns,
      int[] sourceIndexes,
      List<String> keyColumns,
      BinlogPositionStore positions)
      throws SQLException {
    this.target = target;
    this.dialect = dialect;
    this.table = table;
    this.columns = List.copyOf(columns);
    this.sourceIndexes = sourceIndexes.clone();
    this.keyColumns = List.copyOf(keyColumns);
    this.positions = positions;
    // row images carry TIMESTAMPs as UTC text; an explicit 0 in an AUTO_INCREMENT column is a
    // value, not a request for a new one (as on a replica); the target must not check foreign keys
    // against rows not copied yet
    dialect.useUtcSessionTimeZone(target);
    dialect.keepExplicitZeroAutoIncrement(target);
    try (Statement statement = target.createStatement()) {
      // strict: a value the target cannot hold (an alter's narrower type, NOT NULL) fails the
      // batch instead of being changed
      dialect.useStrictWrites(target);
      statement.execute("SET SESSION foreign_key_checks = 0");
    }
    target.setAutoCommit(false);
  }

  /** Applies {@code ops} (key to image, empty for a delete) and stores {@code position}. */
  void apply(
      Map<List<Object>, Optional<List<Object>>> ops, BinlogPosition position, long changesApplied)
      throws SQLException {
    try {
      List<List<Object>> deletes = new ArrayList<>();
      List<List<Object>> rows = new ArrayList<>();
      for (Map.Entry<List<Object>, Optional<List<Object>>> op : ops.entrySet()) {
        if (op.getValue().isPresent()) {
          rows.add(op.getValue().get());
        } else {
          deletes.add(op.getKey());
        }
      }
      for (int from = 0; from < deletes.size(); from += ROWS_PER_STATEMENT) {
        List<List<Object>> part =
            deletes.subList(from, Math.min(deletes.size(), from + ROWS_PER_STATEMENT));
        try (PreparedStatement ps =
            target.prepareStatement(dialect.deleteRowsStatement(table, keyColumns, part.size()))) {
          int index = 1;
          for (List<Object> key : part) {
            for (Object value : key) {
              bind(ps, index++, value);
            }
          }
          ps.executeUpdate();
        }
      }
      for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
        List<List<Object>> part =
            rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
        try (PreparedStatement ps =
            target.prepareStatement(dialect.replaceRowsStatement(table, columns, part.size()))) {
          int index = 1;
          for (List<Object> row : part) {
            for (int sourceIndex : sourceIndexes) {
              bind(ps, index++, row.get(sourceIndex));
            }
          }
          ps.executeUpdate();
        }
      }
      positions.write(target, position, changesApplied);
      target.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        target.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
    if (value == null) {
      ps.setObject(index, null);
    } else if (value instanceof byte[] bytes) {
      ps.setBytes(index, bytes);
    } else if (value instanceof String text) {
      ps.setString(index, text);
    } else if (value instanceof BigInteger big) {
      ps.setBigDecimal(index, new BigDecimal(big));
    } else if (value instanceof BigDecimal decimal) {
      ps.setBigDecimal(index, decimal);
    } else if (value instanceof Long number) {
      ps.setLong(index, number);
    } else if (value instanceof Integer number) {
      ps.setInt(index, number);
    } else if (value instanceof Float number) {
      ps.setFloat(index, number);
    } else if (value instanceof Double number) {
      ps.setDouble(index, number);
    } else {
      ps.setObject(index, value);
    }
  }

  @Override
  public void close() throws SQLException {
    target.close();
  }
}
