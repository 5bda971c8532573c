package dev.dray.change;

import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Turns one column's cell, as the binlog library hands it over, into the value a JDBC statement
 * binds for that column: unsigned integers made unsigned again (the library reads them signed),
 * text decoded with the column's charset (the log carries only bytes), ENUM and SET indexes mapped
 * to their labels, BIT to its number, MySQL's binary JSON to text. Binary values stay bytes.
 */
public final class ColumnDecoder {
  private static final Map<String, Charset> CHARSETS =
      Map.of(
          "utf8mb4", StandardCharsets.UTF_8,
          "utf8mb3", StandardCharsets.UTF_8,
          "utf8", StandardCharsets.UTF_8,
          "latin1", Charset.forName("windows-1252"),
          "ascii", StandardCharsets.US_ASCII,
          "ucs2", StandardCharsets.UTF_16BE,
          "utf16", StandardCharsets.UTF_16BE,
          "utf16le", StandardCharsets.UTF_16LE,
          "utf32", Charset.forName("UTF-32BE"));

  private enum Kind {
    SIGNED,
    UNSIGNED,
    TEXT,
    BYTES,
    ENUM,
    SET,
    BIT,
    MYSQL_JSON,
    AS_IS
  }

  private final ColumnInfo column;
  private final Kind kind;
  private final Charset charset;
  private final List<String> labels;

  ColumnDecoder(ColumnInfo column, String rawColumnType, String charsetName, boolean mysqlJson) {
    this.column = column;
    String type = column.dataType();
    Charset textCharset = null;
    List<String> labelList = List.of();
    Kind chosen;
    switch (type) {
      case "tinyint", "smallint", "mediumint", "int", "integer", "bigint" ->
          chosen = column.unsigned() ? Kind.UNSIGNED : Kind.SIGNED;
      case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json" -> {
        if (type.equals("json") && mysqlJson) {
          chosen = Kind.MYSQL_JSON;
        } else if (charsetName == null || charsetName.equalsIgnoreCase("binary")) {
          chosen = Kind.BYTES;
        } else {
          textCharset = CHARSETS.get(charsetName.toLowerCase(Locale.ROOT));
          if (textCharset == null) {
            throw new DrayException(
                ErrorCode.UNSUPPORTED_SCHEMA,
                "column "
                    + column.name()
                    + " uses charset "
                    + charsetName
                    + ", which the change stream cannot decode (supported: "
                    + String.join(", ", CHARSETS.keySet())
                    + ")");
          }
          chosen = Kind.TEXT;
        }
      }
      case "enum" -> {
        chosen = Kind.ENUM;
        labelList = labels(rawColumnType);
      }
      case "set" -> {
        chosen = Kind.SET;
        labelList = labels(rawColumnType);
      }
      case "bit" -> chosen = Kind.BIT;
      case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" ->
          chosen = Kind.BYTES;
      default -> chosen = Kind.AS_IS; // decimal, float, double, temporal text, year, geometry bytes
    }
    this.kind = chosen;
    this.charset = textCharset;
    this.labels = labelList;
  }

  ColumnInfo column() {
    return column;
  }

  Object decode(Serializable cell) {
    if (cell == null) {
      return null;
    }
    return switch (kind) {
      case SIGNED -> ((Number) cell).longValue();
      case UNSIGNED -> unsigned((Number) cell);
      case TEXT -> cell instanceof byte[] bytes ? new String(bytes, charset) : cell.toString();
      case BYTES ->
          cell instanceof byte[] ? cell : cell.toString().getBytes(StandardCharsets.UTF_8);
      case ENUM -> {
        int index = ((Number) cell).intValue();
        yield index <= 0 || index > labels.size() ? "" : labels.get(index - 1);
      }
      case SET -> {
        long mask = ((Number) cell).longValue();
        StringJoiner joined = new StringJoiner(",");
        for (int i = 0; i < labels.size(); i++) {
          if ((mask & (1L << i)) != 0) {
            joined.add(labels.get(i));
          }
        }
        yield joined.toString();
      }
      case BIT -> {
        long[] words = ((BitSet) cell).toLongArray();
        long value = words.length == 0 ? 0 : words[0];
        yield value < 0 ? new BigInteger(Long.toUnsignedString(value)) : (Object) value;
      }
      case MYSQL_JSON -> {
        try {
          yield JsonBinary.parseAsString((byte[]) cell);
        } catch (IOException e) {
          throw new DrayException(
              ErrorCode.INTERNAL,
              "cannot decode the JSON value of column " + column.name() + ": " + e.getMessage(),
              e);
        }
      }
      case AS_IS -> cell;
    };
  }

  /** The library widens TINYINT..INT to int and BIGINT to long, both signed. */
  private Object unsigned(Number cell) {
    return switch (column.dataType()) {
      case "tinyint" -> (long) (cell.intValue() & 0xFF);
      case "smallint" -> (long) (cell.intValue() & 0xFFFF);
      case "mediumint" -> (long) (cell.intValue() & 0xFFFFFF);
      case "int", "integer" -> cell.intValue() & 0xFFFFFFFFL;
      default -> {
        long value = cell.longValue();
        yield value < 0 ? new BigInteger(Long.toUnsignedString(value)) : (Object) value;
      }
    };
  }

  /** The labels of {@code enum('a','b''c')} or {@code set(...)}, quotes undone. */
  static List<String> labels(String columnType) {
    List<String> result = new ArrayList<>();
    int open = columnType.indexOf('(');
    int i = open + 1;
    while (i < columnType.length()) {
      char c = columnType.charAt(i);
      if (c == '\'') {
        StringBuilder label = new StringBuilder();
        i++;
        while (i < columnType.length()) {
          char d = columnType.charAt(i);
          if (d == '\'' && i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
            label.append('\'');
            i += 2;
          } else if (d == '\'') {
            i++;
            break;
          } else if (d == '\\' && i + 1 < columnType.length()) {
            label.append(columnType.charAt(i + 1));
            i += 2;
          } else {
            label.append(d);
            i++;
          }
        }
        result.add(label.toString());
      } else {
        i++;
      }
    }
    return result;
  }
}
