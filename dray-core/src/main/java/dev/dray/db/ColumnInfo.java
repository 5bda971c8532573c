package dev.dray.db;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One column as information_schema describes it.
 *
 * @param name the column name, unquoted
 * @param position 1-based ordinal position
 * @param dataType the bare type in lower case ({@code bigint}, {@code varchar}, {@code enum}, ...)
 * @param columnType the full type in lower case ({@code bigint(20) unsigned}, {@code
 *     enum('a','b')})
 * @param nullable whether NULL is allowed
 * @param precision numeric precision, or -1
 * @param scale numeric scale, or -1
 * @param fractionalDigits fractional seconds digits of temporal types, or -1
 * @param maxLength maximum character length, or -1
 * @param generated whether the column is generated (virtual or stored)
 */
public record ColumnInfo(
    String name,
    int position,
    String dataType,
    String columnType,
    boolean nullable,
    int precision,
    int scale,
    int fractionalDigits,
    long maxLength,
    boolean generated) {
  public ColumnInfo {
    requireNonNull(name, "name is null");
    dataType = requireNonNull(dataType, "dataType is null").toLowerCase(Locale.ROOT);
    columnType = requireNonNull(columnType, "columnType is null").toLowerCase(Locale.ROOT);
  }

  public boolean unsigned() {
    return columnType.contains("unsigned");
  }
}
