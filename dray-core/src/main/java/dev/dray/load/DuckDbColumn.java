package dev.dray.load;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import dev.dray.db.Dialect;
import dev.dray.load.spi.RowSink;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;

/**
 * How one source column lands in DuckDB: the DuckDB type it is declared with, how it is read from
 * the source, and how a value moves from the source result set into the appender. The mapping is
 * documented in docs/LOAD.md; every type has a cell-by-cell test.
 *
 * <p>Every column is staged in its final type, so publishing is only a rename: MySQL TIME (which
 * may be negative or above 24 hours) is written straight into INTERVAL vectors. An earlier version
 * staged it as BIGINT and converted it at publish with {@code ALTER COLUMN ... SET DATA TYPE}, and
 * DuckDB 1.4 cannot replay that statement from its write-ahead log: a crash right after publish
 * left a file nothing could open.
 *
 * @param source the source column
 * @param duckDbType the DuckDB type of the column, in staging and once published
 * @param copier moves the value of this column from the current row into the appender
 * @param binaryCell how {@link BinaryRowCopier} appends this column's value from the row's raw
 *     binary-protocol bytes, or {@link BinaryCell#DRIVER} to use {@code copier}
 */
public record DuckDbColumn(
    ColumnInfo source, String duckDbType, CellCopier copier, BinaryCell binaryCell) {

  /**
   * DECIMAL precision DuckDB can hold; wider MySQL decimals (up to 65 digits) become exact text.
   */
  public static final int MAX_DUCKDB_DECIMAL_PRECISION = 38;

  /** Unscaled values of DECIMALs up to this precision fit a long. */
  private static final int SMALL_DECIMAL_PRECISION = 18;

  /** {@code TO_SECONDS('1970-01-01 00:00:00')}. */
  private static final long TO_SECONDS_OF_EPOCH = 62_167_219_200L;

  /** {@code TO_DAYS('1970-01-01')}: MySQL's day number of the Unix epoch. */
  private static final int TO_DAYS_OF_EPOCH = 719_528;

  /**
   * Stands for a zero or partly zero DATE in the epoch-day column: below any real date (1000-01-01
   * is day -354,285).
   */
  static final int ZERO_DAYS = Integer.MIN_VALUE;

  /** Stands for a zero or partly zero DATETIME in the epoch-microsecond column. */
  static final long ZERO_MICROS = Long.MIN_VALUE + 1;

  private static final Set<String> SPATIAL =
      Set.of(
          "geometry",
          "point",
          "linestring",
          "polygon",
          "multipoint",
          "multilinestring",
          "multipolygon",
          "geometrycollection",
          "geomcollection");

  /** Moves one cell from a result set to an appender. */
  @FunctionalInterface
  public interface CellCopier {
    void copy(ResultSet row, int index, RowSink appender, CellCounters counters)
        throws SQLException;
  }

  /** What the copiers count while a task runs (one instance per worker, reset per task). */
  public static final class CellCounters {
    long zeroDates;

    public long zeroDates() {
      return zeroDates;
    }

    void reset() {
      zeroDates = 0;
    }
  }

  /**
   * How a cell is appended from the raw bytes of a binary-protocol row (see {@link
   * BinaryRowCopier}); the copier checks the value's wire type first and uses the column's JDBC
   * copier where it does not match.
   */
  public enum BinaryCell {
    /** Decoded by the driver through the column's {@link CellCopier}. */
    DRIVER,
    /** An integer appended as a TINYINT/UTINYINT (its low byte). */
    INT8,
    INT16,
    INT32,
    INT64,
    /** An integer that is a DECIMAL's unscaled value. */
    UNSCALED,
    /** An integer of days since 1970-01-01, or {@link #ZERO_DAYS}. */
    EPOCH_DAYS,
    /** An integer of microseconds since 1970-01-01, or {@link #ZERO_MICROS}. */
    EPOCH_MICROS,
    FLOAT,
    DOUBLE,
    /** Text in utf8mb4 or binary: the bytes as they are. */
    BYTES,
    /** BIT(1): big-endian bits, non-zero is true. */
    BIT_BOOLEAN,
    /** BIT(n): big-endian bits as UBIGINT. */
    BIT_LONG
  }

  /** The mapping for a MySQL/MariaDB column; unsupported types are refused with a clear error. */
  public static DuckDbColumn of(ColumnInfo column, String tableLabel) {
    boolean unsigned = column.unsigned();
    String type = column.dataType();
    if (SPATIAL.contains(type)) {
      return new DuckDbColumn(column, "BLOB", DuckDbColumn::copyBytes, BinaryCell.BYTES);
    }
    return switch (type) {
      // The appender takes unsigned values as the bit pattern of the same-width signed primitive.
      case "tinyint" ->
          new DuckDbColumn(
              column, unsigned ? "UTINYINT" : "TINYINT", DuckDbColumn::copyByte, BinaryCell.INT8);
      case "smallint" ->
          new DuckDbColumn(
              column,
              unsigned ? "USMALLINT" : "SMALLINT",
              DuckDbColumn::copyShort,
              BinaryCell.INT16);
      case "mediumint", "int", "integer" ->
          new DuckDbColumn(
              column, unsigned ? "UINTEGER" : "INTEGER", DuckDbColumn::copyInt, BinaryCell.INT32);
      case "bigint" ->
          unsigned
              ? new DuckDbColumn(
                  column, "UBIGINT", DuckDbColumn::copyUnsignedLong, BinaryCell.INT64)
              : new DuckDbColumn(column, "BIGINT", DuckDbColumn::copyLong, BinaryCell.INT64);
      case "decimal", "numeric" ->
          column.precision() <= MAX_DUCKDB_DECIMAL_PRECISION
              ? new DuckDbColumn(
                  column,
                  "DECIMAL(" + column.precision() + "," + Math.max(0, column.scale()) + ")",
                  decimalCopier(column.precision()),
                  column.precision() <= SMALL_DECIMAL_PRECISION
                      ? BinaryCell.UNSCALED
                      : BinaryCell.DRIVER)
              : new DuckDbColumn(
                  column, "VARCHAR", DuckDbColumn::copyDecimalAsText, BinaryCell.DRIVER);
      case "float" -> new DuckDbColumn(column, "FLOAT", DuckDbColumn::copyFloat, BinaryCell.FLOAT);
      case "double", "real" ->
          new DuckDbColumn(column, "DOUBLE", DuckDbColumn::copyDouble, BinaryCell.DOUBLE);
      case "bit" ->
          column.precision() == 1
              ? new DuckDbColumn(
                  column, "BOOLEAN", DuckDbColumn::copyBitAsBoolean, BinaryCell.BIT_BOOLEAN)
              : new DuckDbColumn(column, "UBIGINT", DuckDbColumn::copyBits, BinaryCell.BIT_LONG);
      case "date" ->
          new DuckDbColumn(column, "DATE", DuckDbColumn::copyEpochDays, BinaryCell.EPOCH_DAYS);
      case "datetime" ->
          new DuckDbColumn(
              column, "TIMESTAMP", DuckDbColumn::copyEpochMicros, BinaryCell.EPOCH_MICROS);
      case "timestamp" ->
          new DuckDbColumn(column, "TIMESTAMP", DuckDbColumn::copyDateTime, BinaryCell.DRIVER);
      case "time" ->
          new DuckDbColumn(column, "INTERVAL", DuckDbColumn::copyTime, BinaryCell.DRIVER);
      case "year" ->
          new DuckDbColumn(column, "SMALLINT", DuckDbColumn::copyShort, BinaryCell.INT16);
      case "char",
          "varchar",
          "tinytext",
          "text",
          "mediumtext",
          "longtext",
          "enum",
          "set",
          "json",
          "inet4",
          "inet6" ->
          new DuckDbColumn(column, "VARCHAR", DuckDbColumn::copyText, BinaryCell.BYTES);
      case "uuid" -> new DuckDbColumn(column, "UUID", DuckDbColumn::copyUuid, BinaryCell.DRIVER);
      case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" ->
          new DuckDbColumn(column, "BLOB", DuckDbColumn::copyBytes, BinaryCell.BYTES);
      default ->
          throw new DrayException(
              ErrorCode.UNSUPPORTED_SCHEMA,
              "column "
                  + column.name()
                  + " of "
                  + tableLabel
                  + " has type "
                  + column.columnType()
                  + ", which dray cannot load into DuckDB yet");
    };
  }

  /**
   * The expression that reads this column in the source SELECT.
   *
   * <p>DATE, DATETIME and DECIMAL of up to 18 digits arrive as integers computed by the server:
   * epoch days ({@code TO_DAYS}), epoch microseconds ({@code TO_SECONDS} and {@code MICROSECOND})
   * and the unscaled value ({@code CAST(amount * 100 AS SIGNED)} for a scale of 2: exact, the
   * product has no fraction left). The driver then decodes one integer per cell instead of building
   * a {@code LocalDate}, a {@code LocalDateTime} or a decimal string (a 5M-row scan of W1's two
   * date columns: 2.2–2.6 s of client CPU as objects, 1.0 s as integers). These functions are cheap
   * on the server ({@code TIMESTAMPDIFF} was not: about 0.25 s of server CPU per million rows).
   * Zero and partly zero dates, which have no epoch value, come as a sentinel ({@link #ZERO_DAYS},
   * {@link #ZERO_MICROS}); the {@code CAST(... AS CHAR)} that tells them from NULL only runs for
   * those rows. TIMESTAMP keeps the driver's path, since its value depends on the session time
   * zone.
   */
  public String selectExpression(Dialect dialect) {
    String quoted = dialect.quote(source.name());
    return switch (source.dataType()) {
      case "date" ->
          orZeroDateSentinel(
              "TO_DAYS(" + quoted + ") - " + TO_DAYS_OF_EPOCH, quoted, String.valueOf(ZERO_DAYS));
      case "datetime" ->
          orZeroDateSentinel(
              "(TO_SECONDS("
                  + quoted
                  + ") - "
                  + TO_SECONDS_OF_EPOCH
                  + ") * 1000000"
                  + (source.fractionalDigits() > 0 ? " + MICROSECOND(" + quoted + ")" : ""),
              quoted,
              String.valueOf(ZERO_MICROS));
      case "decimal", "numeric" ->
          source.precision() <= SMALL_DECIMAL_PRECISION
              ? "CAST("
                  + quoted
                  + (source.scale() > 0 ? " * 1" + "0".repeat(source.scale()) : "")
                  + " AS SIGNED)"
              : quoted;
      // Spatial values are stored as SRID + WKB; ST_AsBinary yields the portable WKB alone.
      default -> SPATIAL.contains(source.dataType()) ? "ST_AsBinary(" + quoted + ")" : quoted;
    };
  }

  /**
   * {@code epochValue}, which is NULL for NULL and for zero dates alike; a zero date (it still has
   * a text form) becomes {@code sentinel} instead. The CAST only runs where {@code epochValue} is
   * NULL.
   */
  private static String orZeroDateSentinel(String epochValue, String quoted, String sentinel) {
    return "COALESCE("
        + epochValue
        + ", IF(CAST("
        + quoted
        + " AS CHAR) IS NULL, NULL, "
        + sentinel
        + "))";
  }

  private static void copyByte(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    int value = row.getInt(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append((byte) value);
    }
  }

  private static void copyShort(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    int value = row.getInt(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append((short) value);
    }
  }

  private static void copyInt(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    long value = row.getLong(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append((int) value);
    }
  }

  private static void copyLong(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    long value = row.getLong(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyUnsignedLong(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    BigInteger value = row.getObject(index, BigInteger.class);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value.longValue());
    }
  }

  private static CellCopier decimalCopier(int precision) {
    if (precision <= SMALL_DECIMAL_PRECISION) {
      // Unscaled values of up to 18 digits fit a long: the server sends them as BIGINT.
      return DuckDbColumn::copyUnscaledDecimal;
    }
    return DuckDbColumn::copyDecimal;
  }

  /** DECIMAL of up to 18 digits, read as its unscaled BIGINT (see {@link #selectExpression}). */
  private static void copyUnscaledDecimal(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    long unscaled = row.getLong(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.appendUnscaled(unscaled);
    }
  }

  private static void copyDecimal(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    BigDecimal value = row.getBigDecimal(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyDecimalAsText(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    BigDecimal value = row.getBigDecimal(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value.toPlainString());
    }
  }

  private static void copyFloat(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    float value = row.getFloat(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyDouble(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    double value = row.getDouble(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyBitAsBoolean(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    byte[] value = row.getBytes(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(bitsToLong(value) != 0);
    }
  }

  private static void copyBits(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    byte[] value = row.getBytes(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(bitsToLong(value));
    }
  }

  /** BIT(n) values arrive big-endian, at most 8 bytes. */
  static long bitsToLong(byte[] bytes) {
    long value = 0;
    for (byte b : bytes) {
      value = (value << 8) | (b & 0xFF);
    }
    return value;
  }

  /**
   * The driver reads zero dates ({@code 0000-00-00}) as NULL and fails on partly zero ones ({@code
   * 2026-00-10}); both have no DuckDB equivalent and become NULL, counted, while a real NULL has no
   * text either.
   */
  private static void copyEpochDays(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    int days = row.getInt(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else if (days == ZERO_DAYS) {
      counters.zeroDates++;
      appender.appendNull();
    } else {
      appender.appendEpochDays(days);
    }
  }

  private static void copyEpochMicros(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    long micros = row.getLong(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else if (micros == ZERO_MICROS) {
      counters.zeroDates++;
      appender.appendNull();
    } else {
      appender.appendEpochMicros(micros);
    }
  }

  private static void copyDateTime(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    LocalDateTime value;
    try {
      value = row.getObject(index, LocalDateTime.class);
    } catch (SQLException | RuntimeException invalidDate) {
      value = null;
    }
    if (value == null) {
      appendNullOrZeroDate(row, index, appender, counters);
    } else {
      appender.appendEpochMicros(
          value.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + value.getNano() / 1_000);
    }
  }

  private static void appendNullOrZeroDate(
      ResultSet row, int index, RowSink appender, CellCounters counters) throws SQLException {
    if (hasText(row, index)) {
      counters.zeroDates++;
    }
    appender.appendNull();
  }

  private static boolean hasText(ResultSet row, int index) {
    try {
      return row.getString(index) != null;
    } catch (SQLException | RuntimeException unreadable) {
      // the binary protocol cannot even render a partly zero date: it is there, so not NULL
      return true;
    }
  }

  /** TIME is {@code [-]H+:MM:SS[.ffffff]}, from -838:59:59 to 838:59:59: an INTERVAL of micros. */
  private static void copyTime(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    String value = row.getString(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.appendIntervalMicros(timeToMicros(value));
    }
  }

  static long timeToMicros(String text) {
    boolean negative = text.startsWith("-");
    String body = negative ? text.substring(1) : text;
    int firstColon = body.indexOf(':');
    int secondColon = body.indexOf(':', firstColon + 1);
    long hours = Long.parseLong(body.substring(0, firstColon));
    long minutes = Long.parseLong(body.substring(firstColon + 1, secondColon));
    String secondsPart = body.substring(secondColon + 1);
    int dot = secondsPart.indexOf('.');
    long seconds = Long.parseLong(dot < 0 ? secondsPart : secondsPart.substring(0, dot));
    long micros = 0;
    if (dot >= 0) {
      String fraction = (secondsPart.substring(dot + 1) + "000000").substring(0, 6);
      micros = Long.parseLong(fraction);
    }
    long total = ((hours * 60 + minutes) * 60 + seconds) * 1_000_000L + micros;
    return negative ? -total : total;
  }

  /**
   * Text arrives in the connection's character set, utf8mb4, which is what DuckDB stores: the bytes
   * go across as they are, without a detour through a Java String.
   */
  private static void copyText(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    byte[] value = row.getBytes(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyString(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    String value = row.getString(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyUuid(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    String value = row.getString(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(UUID.fromString(value));
    }
  }

  private static void copyBytes(ResultSet row, int index, RowSink appender, CellCounters counters)
      throws SQLException {
    byte[] value = row.getBytes(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }
}
