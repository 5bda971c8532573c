package dev.dray.load.spi;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Appends rows to one DuckDB table, one typed value per column in table order, then {@link
 * #endRow()}. The rows belong to the DuckDB connection's open transaction. Not thread-safe: one per
 * worker and task.
 *
 * <p>Values arrive in the representation the staging type stores: epoch days for DATE, epoch
 * microseconds for TIMESTAMP, the unscaled value for a DECIMAL of up to 18 digits, the bit pattern
 * of the same-width signed primitive for unsigned integers, UTF-8 bytes for VARCHAR.
 */
public interface RowSink extends AutoCloseable {
  void appendNull() throws SQLException;

  void append(boolean value) throws SQLException;

  void append(byte value) throws SQLException;

  void append(short value) throws SQLException;

  void append(int value) throws SQLException;

  /** BIGINT, UBIGINT (as its bit pattern). */
  void append(long value) throws SQLException;

  void append(float value) throws SQLException;

  void append(double value) throws SQLException;

  void appendEpochDays(int days) throws SQLException;

  void appendEpochMicros(long micros) throws SQLException;

  /** An INTERVAL of {@code micros} microseconds and no months or days (a MySQL TIME). */
  void appendIntervalMicros(long micros) throws SQLException;

  /** A DECIMAL given as its unscaled value at the column's scale (up to 18 digits). */
  void appendUnscaled(long unscaled) throws SQLException;

  /** A DECIMAL of any precision DuckDB holds; its scale is at most the column's. */
  void append(BigDecimal value) throws SQLException;

  void append(UUID value) throws SQLException;

  default void append(String value) throws SQLException {
    append(value.getBytes(StandardCharsets.UTF_8));
  }

  /** VARCHAR (UTF-8 bytes) or BLOB. */
  default void append(byte[] value) throws SQLException {
    append(value, 0, value.length);
  }

  /**
   * VARCHAR (UTF-8 bytes) or BLOB: {@code length} bytes of {@code source} from {@code offset}. The
   * sink does not keep {@code source}: it may be reused once the call returns.
   */
  void append(byte[] source, int offset, int length) throws SQLException;

  /** Ends the row; every column must have had exactly one value. */
  void endRow() throws SQLException;

  /** Writes everything appended into the table (within the transaction) and releases the sink. */
  @Override
  void close() throws SQLException;

  /** Releases the sink after a failure; what it held is discarded with the transaction. */
  void abandon();
}
