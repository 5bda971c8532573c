package dev.dray.driveraccess;

import dev.dray.load.spi.RowSink;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.duckdb.DrayAppenderBridge;
import org.duckdb.DuckDBConnection;

/**
 * Appends rows to a DuckDB table by filling DuckDB data chunks directly (2,048 rows each) and
 * handing whole chunks to DuckDB's C appender, which gathers them and writes large batches. Values
 * are written straight into the vectors' memory, with no per-value native call: strings longer than
 * 12 bytes are copied into a {@link StringArena} that the vector's {@code string_t} entries point
 * to, and DuckDB copies them out when it takes the chunk. See {@link DrayAppenderBridge} for why
 * the driver's own appender is not used.
 *
 * <p>Usage per row: one {@code append...} call per column in table order, then {@link #endRow()}.
 * Not thread-safe: one per worker.
 */
final class ChunkAppender implements RowSink {
  private static final int INLINE_STRING = 12;
  private static final int STRING_SIZE = 16;

  /** How a column's values are laid out in its vector. */
  enum Layout {
    BYTE(1),
    SHORT(2),
    INT(4),
    LONG(8),
    FLOAT(4),
    DOUBLE(8),
    HUGE(16),
    STRING(16);

    final int width;

    Layout(int width) {
      this.width = width;
    }
  }

  private final ByteBuffer appender;
  private final ByteBuffer chunk;
  private final int capacity;
  private final Layout[] layouts;
  private final int[] decimalScales;
  private final ByteBuffer[] vectors;
  private final ByteBuffer[] data;
  private final ByteBuffer[] validity;

  /** Where long strings of the current chunk live; null where it cannot be used. */
  private final StringArena strings = StringArena.create();

  private int row;
  private int column;
  private boolean closed;

  /**
   * @param stagingTypes the DuckDB types of the table's columns in order (as declared by dray:
   *     {@code BIGINT}, {@code DECIMAL(12,2)}, {@code VARCHAR}, ...)
   */
  ChunkAppender(DuckDBConnection connection, String table, List<String> stagingTypes)
      throws SQLException {
    this(connection, DuckDBConnection.DEFAULT_SCHEMA, table, stagingTypes);
  }

  /** An appender for a table in another schema (follow's batch tables). */
  ChunkAppender(DuckDBConnection connection, String schema, String table, List<String> stagingTypes)
      throws SQLException {
    this.appender = DrayAppenderBridge.createAppender(connection, schema, table);
    try {
      int columns = DrayAppenderBridge.columnCount(appender);
      if (columns != stagingTypes.size()) {
        throw new SQLException(
            "table " + table + " has " + columns + " columns, expected " + stagingTypes.size());
      }
      ByteBuffer[] types = new ByteBuffer[columns];
      for (int i = 0; i < columns; i++) {
        types[i] = DrayAppenderBridge.columnType(appender, i);
      }
      this.chunk = DrayAppenderBridge.createDataChunk(types);
      for (ByteBuffer type : types) {
        DrayAppenderBridge.destroyLogicalType(type);
      }
      this.capacity = DrayAppenderBridge.vectorSize();
      this.layouts = new Layout[columns];
      this.decimalScales = new int[columns];
      for (int i = 0; i < columns; i++) {
        layouts[i] = layout(stagingTypes.get(i));
        decimalScales[i] = decimalScale(stagingTypes.get(i));
      }
      this.vectors = new ByteBuffer[columns];
      this.data = new ByteBuffer[columns];
      this.validity = new ByteBuffer[columns];
      bindVectors();
    } catch (SQLException | RuntimeException e) {
      DrayAppenderBridge.destroy(appender);
      throw e;
    }
  }

  static Layout layout(String type) {
    String t = type.toUpperCase(java.util.Locale.ROOT);
    if (t.startsWith("DECIMAL")) {
      int precision = Integer.parseInt(t.substring(t.indexOf('(') + 1, t.indexOf(',')).trim());
      return precision <= 4
          ? Layout.SHORT
          : precision <= 9 ? Layout.INT : precision <= 18 ? Layout.LONG : Layout.HUGE;
    }
    return switch (t) {
      case "BOOLEAN", "TINYINT", "UTINYINT" -> Layout.BYTE;
      case "SMALLINT", "USMALLINT" -> Layout.SHORT;
      case "INTEGER", "UINTEGER", "DATE" -> Layout.INT;
      case "BIGINT", "UBIGINT", "TIMESTAMP" -> Layout.LONG;
      case "FLOAT" -> Layout.FLOAT;
      case "DOUBLE" -> Layout.DOUBLE;
      case "UUID", "HUGEINT", "INTERVAL" -> Layout.HUGE;
      case "VARCHAR", "BLOB" -> Layout.STRING;
      default -> throw new IllegalArgumentException("no chunk layout for DuckDB type " + type);
    };
  }

  private static int decimalScale(String type) {
    String t = type.toUpperCase(java.util.Locale.ROOT);
    if (!t.startsWith("DECIMAL")) {
      return -1;
    }
    return Integer.parseInt(t.substring(t.indexOf(',') + 1, t.indexOf(')')).trim());
  }

  private void bindVectors() {
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = DrayAppenderBridge.vector(chunk, i);
      data[i] =
          DrayAppenderBridge.vectorData(vectors[i], (long) capacity * layouts[i].width)
              .order(ByteOrder.nativeOrder());
      validity[i] = null; // made writable on the first NULL of this chunk
    }
  }

  @Override
  public void appendNull() {
    ByteBuffer bits = validity[column];
    if (bits == null) {
      bits = DrayAppenderBridge.writableValidity(vectors[column], capacity);
      bits = bits.order(ByteOrder.nativeOrder());
      if (bits.capacity() < capacity / 8) {
        throw new IllegalStateException(
            "validity mask of " + bits.capacity() + " bytes is too small");
      }
      validity[column] = bits;
    }
    int word = (row >>> 6) * 8;
    bits.putLong(word, bits.getLong(word) & ~(1L << (row & 63)));
    if (layouts[column] == Layout.STRING) {
      data[column].putInt(row * STRING_SIZE, 0); // an empty string_t, never read
    }
    column++;
  }

  @Override
  public void append(boolean value) {
    data[column++].put(row, value ? (byte) 1 : (byte) 0);
  }

  @Override
  public void append(byte value) {
    data[column++].put(row, value);
  }

  @Override
  public void append(short value) {
    data[column++].putShort(row * 2, value);
  }

  @Override
  public void append(int value) {
    data[column++].putInt(row * 4, value);
  }

  /** BIGINT, UBIGINT (as its bit pattern) and TIMESTAMP in microseconds. */
  @Override
  public void append(long value) {
    data[column++].putLong(row * 8, value);
  }

  @Override
  public void append(float value) {
    data[column++].putFloat(row * 4, value);
  }

  @Override
  public void append(double value) {
    data[column++].putDouble(row * 8, value);
  }

  @Override
  public void appendEpochDays(int days) {
    append(days);
  }

  @Override
  public void appendEpochMicros(long micros) {
    append(micros);
  }

  /** A DECIMAL given as its unscaled value at the column's scale (fits 18 digits). */
  @Override
  public void appendUnscaled(long unscaled) {
    ByteBuffer buffer = data[column];
    switch (layouts[column]) {
      case SHORT -> buffer.putShort(row * 2, (short) unscaled);
      case INT -> buffer.putInt(row * 4, (int) unscaled);
      case LONG -> buffer.putLong(row * 8, unscaled);
      case HUGE -> putHuge(buffer, unscaled, unscaled < 0 ? -1L : 0L);
      default -> throw new IllegalStateException("column " + column + " is not a DECIMAL");
    }
    column++;
  }

  @Override
  public void append(BigDecimal value) {
    int scale = decimalScales[column];
    BigInteger unscaled = value.setScale(scale, RoundingMode.UNNECESSARY).unscaledValue();
    if (layouts[column] == Layout.HUGE) {
      putHuge(data[column], unscaled.longValue(), unscaled.shiftRight(64).longValue());
      column++;
    } else {
      appendUnscaled(unscaled.longValueExact());
    }
  }

  /** UUIDs are stored as a 128-bit integer with the top bit flipped, so they sort as text does. */
  @Override
  public void append(UUID value) {
    putHuge(
        data[column++],
        value.getLeastSignificantBits(),
        value.getMostSignificantBits() ^ Long.MIN_VALUE);
  }

  /**
   * An INTERVAL of {@code micros} microseconds and no months or days, as DuckDB's {@code
   * interval_t} lays it out (int32 months, int32 days, int64 micros): what {@code
   * to_microseconds(micros)} gives.
   */
  @Override
  public void appendIntervalMicros(long micros) {
    ByteBuffer buffer = data[column++];
    buffer.putInt(row * 16, 0);
    buffer.putInt(row * 16 + 4, 0);
    buffer.putLong(row * 16 + 8, micros);
  }

  private void putHuge(ByteBuffer buffer, long lower, long upper) {
    buffer.putLong(row * 16, lower);
    buffer.putLong(row * 16 + 8, upper);
  }

  @Override
  public void append(String value) {
    append(value.getBytes(StandardCharsets.UTF_8));
  }

  /** VARCHAR (UTF-8 bytes) or BLOB. Short values are inlined in the vector as DuckDB does. */
  @Override
  public void append(byte[] value) {
    append(value, 0, value.length);
  }

  /**
   * VARCHAR (UTF-8 bytes) or BLOB: {@code length} bytes of {@code source} from {@code offset}. A
   * {@code string_t} is 16 bytes: the length, then either the whole string (up to 12 bytes, zero
   * padded) or its first 4 bytes and a pointer. Those are written as three stores of assembled
   * words rather than byte by byte (a bulk put of a few bytes into a direct buffer costs more than
   * the copy).
   */
  @Override
  public void append(byte[] source, int offset, int length) {
    ByteBuffer buffer = data[column];
    int slot = row * STRING_SIZE;
    buffer.putInt(slot, length);
    if (length <= INLINE_STRING) {
      buffer.putLong(slot + 4, littleEndianWord(source, offset, Math.min(length, 8)));
      buffer.putInt(
          slot + 12, length > 8 ? (int) littleEndianWord(source, offset + 8, length - 8) : 0);
    } else if (strings != null) {
      long address = strings.put(source, offset, length);
      buffer.putInt(slot + 4, (int) littleEndianWord(source, offset, 4)); // the prefix
      buffer.putLong(slot + 8, address);
    } else {
      DrayAppenderBridge.assignString(
          vectors[column], row, Arrays.copyOfRange(source, offset, offset + length));
    }
    column++;
  }

  /**
   * Up to 8 bytes as a little-endian word (the rest zero): stored in the vectors' native order it
   * lays them out in memory in this order. DuckDB's native library exists only for little-endian
   * platforms (x86-64, arm64), where the vectors are little-endian too.
   */
  private static long littleEndianWord(byte[] source, int offset, int count) {
    long word = 0;
    for (int i = 0; i < count; i++) {
      word |= (source[offset + i] & 0xFFL) << (8 * i);
    }
    return word;
  }

  @Override
  public void endRow() throws SQLException {
    if (column != layouts.length) {
      throw new IllegalStateException(
          "row has " + column + " values for " + layouts.length + " columns");
    }
    column = 0;
    row++;
    if (row == capacity) {
      appendChunk();
    }
  }

  private void appendChunk() throws SQLException {
    DrayAppenderBridge.setDataChunkSize(chunk, row);
    DrayAppenderBridge.appendChunk(appender, chunk); // copies the strings it points to
    if (strings != null) {
      strings.clear();
    }
    DrayAppenderBridge.resetDataChunk(chunk);
    bindVectors();
    row = 0;
  }

  /** Writes everything appended so far into the table (within the connection's transaction). */
  void flush() throws SQLException {
    if (row > 0) {
      appendChunk();
    }
    DrayAppenderBridge.flush(appender);
  }

  /** Flushes and releases the appender. */
  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      flush();
    } catch (SQLException | RuntimeException e) {
      DrayAppenderBridge.destroy(appender);
      DrayAppenderBridge.destroyDataChunk(chunk);
      throw e;
    }
    try {
      DrayAppenderBridge.close(appender);
    } finally {
      DrayAppenderBridge.destroyDataChunk(chunk);
    }
  }

  /** Releases the appender after a failure; what it held is discarded with the transaction. */
  @Override
  public void abandon() {
    if (closed) {
      return;
    }
    closed = true;
    DrayAppenderBridge.destroy(appender);
    DrayAppenderBridge.destroyDataChunk(chunk);
  }
}
