package dev.dray.load;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.duckdb.DuckDBAppender;

/**
 * How one source column lands in DuckDB: the DuckDB type it is declared with, and how a value is
 * moved from the source result set into the appender without detours through strings.
 *
 * @param source the source column
 * @param duckDbType the DuckDB column type
 * @param copier moves the value of this column from the current row into the appender
 */
public record DuckDbColumn(ColumnInfo source, String duckDbType, CellCopier copier) {

  /** Moves one cell from a result set to an appender. */
  @FunctionalInterface
  public interface CellCopier {
    void copy(ResultSet row, int index, DuckDBAppender appender) throws SQLException;
  }

  /** The mapping for a MySQL/MariaDB column; unsupported types are refused with a clear error. */
  public static DuckDbColumn of(ColumnInfo column, String tableLabel) {
    boolean unsigned = column.unsigned();
    return switch (column.dataType()) {
      // The appender takes unsigned values as the bit pattern of the same-width signed primitive.
      case "tinyint" ->
          new DuckDbColumn(column, unsigned ? "UTINYINT" : "TINYINT", DuckDbColumn::copyByte);
      case "smallint" ->
          new DuckDbColumn(column, unsigned ? "USMALLINT" : "SMALLINT", DuckDbColumn::copyShort);
      case "mediumint", "int", "integer" ->
          new DuckDbColumn(column, unsigned ? "UINTEGER" : "INTEGER", DuckDbColumn::copyInt);
      case "bigint" ->
          unsigned
              ? new DuckDbColumn(column, "UBIGINT", DuckDbColumn::copyUnsignedLong)
              : new DuckDbColumn(column, "BIGINT", DuckDbColumn::copyLong);
      case "decimal", "numeric" ->
          column.precision() <= 38
              ? new DuckDbColumn(
                  column,
                  "DECIMAL(" + column.precision() + "," + Math.max(0, column.scale()) + ")",
                  DuckDbColumn::copyDecimal)
              : new DuckDbColumn(column, "VARCHAR", DuckDbColumn::copyDecimalAsText);
      case "float" -> new DuckDbColumn(column, "FLOAT", DuckDbColumn::copyFloat);
      case "double", "real" -> new DuckDbColumn(column, "DOUBLE", DuckDbColumn::copyDouble);
      case "date" -> new DuckDbColumn(column, "DATE", DuckDbColumn::copyDate);
      case "datetime", "timestamp" ->
          new DuckDbColumn(column, "TIMESTAMP", DuckDbColumn::copyDateTime);
      case "year" -> new DuckDbColumn(column, "SMALLINT", DuckDbColumn::copyShort);
      case "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json" ->
          new DuckDbColumn(column, "VARCHAR", DuckDbColumn::copyString);
      case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" ->
          new DuckDbColumn(column, "BLOB", DuckDbColumn::copyBytes);
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

  private static void copyByte(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    int value = row.getInt(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append((byte) value);
    }
  }

  private static void copyShort(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    int value = row.getInt(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append((short) value);
    }
  }

  private static void copyInt(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    long value = row.getLong(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append((int) value);
    }
  }

  private static void copyLong(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    long value = row.getLong(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyUnsignedLong(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    BigDecimal value = row.getBigDecimal(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value.toBigIntegerExact().longValue());
    }
  }

  private static void copyDecimal(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    BigDecimal value = row.getBigDecimal(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyDecimalAsText(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    BigDecimal value = row.getBigDecimal(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value.toPlainString());
    }
  }

  private static void copyFloat(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    float value = row.getFloat(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyDouble(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    double value = row.getDouble(index);
    if (row.wasNull()) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyDate(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    LocalDate value = row.getObject(index, LocalDate.class);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyDateTime(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    LocalDateTime value = row.getObject(index, LocalDateTime.class);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyString(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    String value = row.getString(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }

  private static void copyBytes(ResultSet row, int index, DuckDBAppender appender)
      throws SQLException {
    byte[] value = row.getBytes(index);
    if (value == null) {
      appender.appendNull();
    } else {
      appender.append(value);
    }
  }
}
