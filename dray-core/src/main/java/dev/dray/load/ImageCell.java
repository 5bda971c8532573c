package dev.dray.load;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import dev.dray.load.spi.RowSink;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Appends one column's value from a binary-log row image (as {@code dev.dray.change.ColumnDecoder}
 * hands it over: numbers, text, bytes, temporal values as the server prints them) so that it lands
 * in DuckDB exactly as {@link DuckDbColumn}'s copier lands the same value read by a load: same
 * DuckDB type, same encoding, zero dates NULL. {@code FollowTypesTest} compares a followed table
 * with a fresh load of the same rows, cell by cell.
 */
@FunctionalInterface
interface ImageCell {
  void append(Object value, RowSink appender) throws SQLException;

  /** The writer for {@code column}'s mapping; types the log cannot carry exactly are refused. */
  static ImageCell of(DuckDbColumn column, String tableLabel) {
    ColumnInfo source = column.source();
    String type = source.dataType();
    String duck = column.duckDbType();
    ImageCell cell =
        switch (type) {
          case "tinyint" -> (v, a) -> a.append((byte) number(v).longValue());
          case "smallint", "year" -> (v, a) -> a.append((short) number(v).longValue());
          case "mediumint", "int", "integer" -> (v, a) -> a.append((int) number(v).longValue());
          case "bigint" -> (v, a) -> a.append(number(v).longValue());
          case "decimal", "numeric" -> decimal(column);
          case "float" -> (v, a) -> a.append(number(v).floatValue());
          case "double", "real" -> (v, a) -> a.append(number(v).doubleValue());
          case "bit" ->
              duck.equals("BOOLEAN")
                  ? (v, a) -> a.append(number(v).longValue() != 0)
                  : (v, a) -> a.append(number(v).longValue());
          case "date" -> ImageCell::date;
          case "datetime", "timestamp" -> ImageCell::dateTime;
          case "time" -> (v, a) -> a.appendIntervalMicros(DuckDbColumn.timeToMicros(v.toString()));
          case "char",
              "varchar",
              "tinytext",
              "text",
              "mediumtext",
              "longtext",
              "enum",
              "set",
              "json" ->
              ImageCell::text;
          case "binary" -> padded((int) source.maxLength());
          case "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> ImageCell::bytes;
          default -> {
            if (duck.equals("BLOB")) {
              yield ImageCell::geometry; // spatial types: the log has SRID + WKB, load has WKB
            }
            throw new DrayException(
                ErrorCode.UNSUPPORTED_SCHEMA,
                "column "
                    + source.name()
                    + " of "
                    + tableLabel
                    + " has type "
                    + source.columnType()
                    + ", which --follow cannot apply from the binary log yet; load it without"
                    + " --follow");
          }
        };
    return (value, appender) -> {
      if (value == null) {
        appender.appendNull();
      } else {
        cell.append(value, appender);
      }
    };
  }

  private static Number number(Object value) {
    if (value instanceof Number number) {
      return number;
    }
    if (value instanceof Boolean bool) {
      return bool ? 1 : 0;
    }
    return new BigDecimal(value.toString());
  }

  /** Load reads DECIMAL up to 18 digits as its unscaled value, wider ones as BigDecimal or text. */
  private static ImageCell decimal(DuckDbColumn column) {
    int scale = Math.max(0, column.source().scale());
    if (column.duckDbType().equals("VARCHAR")) {
      return (v, a) -> a.append(toDecimal(v, scale).toPlainString());
    }
    return (v, a) -> a.append(toDecimal(v, scale));
  }

  private static BigDecimal toDecimal(Object value, int scale) {
    BigDecimal decimal =
        value instanceof BigDecimal d
            ? d
            : value instanceof BigInteger i ? new BigDecimal(i) : new BigDecimal(value.toString());
    return decimal.setScale(scale, RoundingMode.UNNECESSARY);
  }

  /** {@code YYYY-MM-DD}; a zero or partly zero date has no DuckDB value and becomes NULL. */
  private static void date(Object value, RowSink appender) throws SQLException {
    String text = value.toString();
    LocalDate date = parseDate(text);
    if (date == null) {
      appender.appendNull();
    } else {
      appender.appendEpochDays((int) date.toEpochDay());
    }
  }

  private static LocalDate parseDate(String text) {
    int year = Integer.parseInt(text.substring(0, 4));
    int month = Integer.parseInt(text.substring(5, 7));
    int day = Integer.parseInt(text.substring(8, 10));
    if (month == 0 || day == 0) {
      return null;
    }
    return LocalDate.of(year, month, day);
  }

  /** {@code YYYY-MM-DD hh:mm:ss[.f]}, TIMESTAMP rendered in UTC as load's session reads it. */
  private static void dateTime(Object value, RowSink appender) throws SQLException {
    String text = value.toString();
    LocalDate date = parseDate(text);
    if (date == null) {
      appender.appendNull();
      return;
    }
    int hour = Integer.parseInt(text.substring(11, 13));
    int minute = Integer.parseInt(text.substring(14, 16));
    int second = Integer.parseInt(text.substring(17, 19));
    long micros = 0;
    if (text.length() > 20) {
      micros = Long.parseLong((text.substring(20) + "000000").substring(0, 6));
    }
    LocalDateTime at = date.atTime(hour, minute, second);
    appender.appendEpochMicros(at.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + micros);
  }

  private static void text(Object value, RowSink appender) throws SQLException {
    if (value instanceof byte[] bytes) {
      appender.append(bytes);
    } else {
      appender.append(value.toString());
    }
  }

  private static void bytes(Object value, RowSink appender) throws SQLException {
    appender.append(asBytes(value));
  }

  private static byte[] asBytes(Object value) {
    return value instanceof byte[] bytes
        ? bytes
        : value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The log drops BINARY(n)'s trailing zero bytes; the table (and so a load) has them. */
  private static ImageCell padded(int length) {
    return (v, a) -> {
      byte[] bytes = asBytes(v);
      a.append(bytes.length >= length ? bytes : Arrays.copyOf(bytes, length));
    };
  }

  /** A spatial value in the log is the stored form, a 4-byte SRID then WKB; load reads WKB. */
  private static void geometry(Object value, RowSink appender) throws SQLException {
    byte[] stored = asBytes(value);
    appender.append(stored, 4, stored.length - 4);
  }
}
