package dev.dray.load.spi;

/**
 * The rows of one binary-protocol result set as the bytes the server sent (MySQL/MariaDB protocol,
 * "Binary resultset row"), so that each cell can be decoded straight into a {@link RowSink}.
 */
public interface BinaryRows {
  /** The wire type code of each column ({@code MYSQL_TYPE_*}). */
  int[] wireTypes();

  /** Whether each column is unsigned. */
  boolean[] unsignedColumns();

  /**
   * The packet of the row the result set is on: a 0x00 header, the NULL bitmap (bit {@code i + 2}
   * for column {@code i}), then each non-NULL value in its binary encoding. Valid until the result
   * set moves; never modified by the caller.
   */
  byte[] currentRow();
}
