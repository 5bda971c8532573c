package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Orders key tuples the way the server orders the key, for the key types where Java can do that
 * exactly: integers and decimals (by value, whatever the Java class: a bound read by JDBC is an
 * Integer, the same key from the binary log a Long) and binary strings (bytes, unsigned). Text keys
 * order by collation and temporal keys come in two forms; the online copy refuses them rather than
 * guess.
 */
final class KeyOrder implements Comparator<List<Object>> {
  static final KeyOrder INSTANCE = new KeyOrder();

  private static final Set<String> SUPPORTED =
      Set.of(
          "tinyint",
          "smallint",
          "mediumint",
          "int",
          "integer",
          "bigint",
          "decimal",
          "binary",
          "varbinary");

  private KeyOrder() {}

  /** Refuses a key this order cannot compare exactly. */
  static void check(String table, List<ColumnInfo> key) {
    for (ColumnInfo column : key) {
      if (!SUPPORTED.contains(column.dataType())) {
        throw new DrayException(
            ErrorCode.UNSUPPORTED_SCHEMA,
            "table "
                + table
                + ": the online copy walks key column "
                + column.name()
                + " of type "
                + column.columnType()
                + ", but supports only integer, decimal and binary keys for now;"
                + " copy it offline or add an integer key");
      }
    }
  }

  @Override
  public int compare(List<Object> a, List<Object> b) {
    for (int i = 0; i < a.size(); i++) {
      int byValue = compareValues(a.get(i), b.get(i));
      if (byValue != 0) {
        return byValue;
      }
    }
    return 0;
  }

  static int compareValues(Object a, Object b) {
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.compareUnsigned(x, y);
    }
    return decimal(a).compareTo(decimal(b));
  }

  private static BigDecimal decimal(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    throw new IllegalArgumentException(
        "not a comparable key value: " + (value == null ? "null" : value.getClass().getName()));
  }
}
