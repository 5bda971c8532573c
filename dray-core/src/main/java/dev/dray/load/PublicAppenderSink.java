package dev.dray.load;

import dev.dray.load.spi.RowSink;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A {@link RowSink} on the DuckDB driver's public {@link DuckDBAppender}: works with any driver
 * version that has this API, and is the path used when the optional module {@code
 * dray-driver-access} is absent or was built for another driver version. The appender writes each
 * full 2,048-row chunk into the table as it fills (the driver flushes it), which costs more CPU
 * than the module's path; see docs/LOAD.md.
 */
final class PublicAppenderSink implements RowSink {
  private final DuckDBAppender appender;

  /** Per column: the decimal's scale, or -1 when the column is not a DECIMAL. */
  private final int[] decimalScales;

  /** Per column: the DECIMAL's precision (0 when not a DECIMAL), to pick the appender's width. */
  private final int[] decimalPrecisions;

  /** Per column: whether it is a VARCHAR (which older drivers take only as a String). */
  private final boolean[] text;

  /**
   * DuckDB JDBC 1.4 appends UTF-8 bytes only to BLOB columns and wants a String for VARCHAR; later
   * versions take the bytes for both. Learnt on the first VARCHAR value the driver refuses.
   */
  private static volatile boolean varcharNeedsString;

  /** Each sink's shadow table has a name of its own: workers append to one table at once. */
  private static final java.util.concurrent.atomic.AtomicLong SHADOWS =
      new java.util.concurrent.atomic.AtomicLong();

  private int column;
  private boolean rowOpen;
  private boolean closed;

  /**
   * The public appender cannot open a table with an INTERVAL column (DuckDB JDBC up to 2.0 at
   * least: "unsupported C API type"). For such a table the rows go into a shadow table in the same
   * transaction, with BIGINT microseconds in place of each INTERVAL, and {@link #close()} moves
   * them over converted; a crash rolls the shadow back with everything else. Null when not needed.
   */
  private final String shadowMove;

  private final String shadowDrop;
  private final DuckDBConnection connection;

  PublicAppenderSink(
      DuckDBConnection connection, String schema, String table, List<String> stagingTypes)
      throws SQLException {
    this.connection = connection;
    if (stagingTypes.stream().anyMatch(t -> t.equalsIgnoreCase("INTERVAL"))) {
      String shadow = table + "_dray_interval_" + SHADOWS.incrementAndGet();
      String quotedShadow = quote(schema) + "." + quote(shadow);
      StringBuilder create = new StringBuilder("CREATE TABLE " + quotedShadow + " (");
      StringBuilder select = new StringBuilder();
      for (int i = 0; i < stagingTypes.size(); i++) {
        boolean interval = stagingTypes.get(i).equalsIgnoreCase("INTERVAL");
        create.append(i == 0 ? "" : ", ").append("c").append(i).append(' ');
        create.append(interval ? "BIGINT" : stagingTypes.get(i));
        select.append(i == 0 ? "" : ", ");
        select.append(interval ? "to_microseconds(c" + i + ")" : "c" + i);
      }
      try (java.sql.Statement statement = connection.createStatement()) {
        statement.execute(create.append(")").toString());
      }
      this.shadowMove =
          "INSERT INTO "
              + quote(schema)
              + "."
              + quote(table)
              + " SELECT "
              + select
              + " FROM "
              + quotedShadow;
      this.shadowDrop = "DROP TABLE " + quotedShadow;
      this.appender = connection.createAppender(schema, shadow);
    } else {
      this.shadowMove = null;
      this.shadowDrop = null;
      this.appender = connection.createAppender(schema, table);
    }
    this.decimalScales = new int[stagingTypes.size()];
    this.decimalPrecisions = new int[stagingTypes.size()];
    this.text = new boolean[stagingTypes.size()];
    for (int i = 0; i < stagingTypes.size(); i++) {
      String type = stagingTypes.get(i).toUpperCase(Locale.ROOT);
      text[i] = type.equals("VARCHAR");
      if (type.startsWith("DECIMAL")) {
        decimalPrecisions[i] =
            Integer.parseInt(type.substring(type.indexOf('(') + 1, type.indexOf(',')).trim());
        decimalScales[i] =
            Integer.parseInt(type.substring(type.indexOf(',') + 1, type.indexOf(')')).trim());
      } else {
        decimalScales[i] = -1;
      }
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private DuckDBAppender next() throws SQLException {
    if (!rowOpen) {
      appender.beginRow();
      rowOpen = true;
    }
    column++;
    return appender;
  }

  @Override
  public void appendNull() throws SQLException {
    next().appendNull();
  }

  @Override
  public void append(boolean value) throws SQLException {
    next().append(value);
  }

  @Override
  public void append(byte value) throws SQLException {
    next().append(value);
  }

  @Override
  public void append(short value) throws SQLException {
    next().append(value);
  }

  @Override
  public void append(int value) throws SQLException {
    next().append(value);
  }

  @Override
  public void append(long value) throws SQLException {
    next().append(value);
  }

  @Override
  public void append(float value) throws SQLException {
    next().append(value);
  }

  @Override
  public void append(double value) throws SQLException {
    next().append(value);
  }

  @Override
  public void appendEpochDays(int days) throws SQLException {
    next().appendEpochDays(days);
  }

  @Override
  public void appendEpochMicros(long micros) throws SQLException {
    next().appendEpochMicros(micros);
  }

  /** Into the shadow table's BIGINT column; {@link #close()} converts it. */
  @Override
  public void appendIntervalMicros(long micros) throws SQLException {
    next().append(micros);
  }

  @Override
  public void appendUnscaled(long unscaled) throws SQLException {
    int precision = decimalPrecisions[column];
    if (precision == 0) {
      throw new IllegalStateException("column " + column + " is not a DECIMAL");
    }
    if (precision <= 4) {
      next().appendDecimal((short) unscaled);
    } else if (precision <= 9) {
      next().appendDecimal((int) unscaled);
    } else if (precision <= 18) {
      next().appendDecimal(unscaled);
    } else {
      next().append(BigDecimal.valueOf(unscaled, decimalScales[column]));
    }
  }

  @Override
  public void append(BigDecimal value) throws SQLException {
    int scale = decimalScales[column];
    next().append(value.setScale(scale, RoundingMode.UNNECESSARY));
  }

  @Override
  public void append(UUID value) throws SQLException {
    next().append(value);
  }

  @Override
  public void append(String value) throws SQLException {
    if (varcharNeedsString && text[column]) {
      next().append(value);
    } else {
      append(value.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public void append(byte[] value) throws SQLException {
    if (text[column]) {
      if (varcharNeedsString) {
        next().append(new String(value, StandardCharsets.UTF_8));
        return;
      }
      DuckDBAppender appender = next();
      try {
        appender.append(value);
      } catch (SQLException refused) {
        // the driver checks the column's type before it writes anything: retry as a String
        varcharNeedsString = true;
        appender.append(new String(value, StandardCharsets.UTF_8));
      }
      return;
    }
    next().append(value);
  }

  @Override
  public void append(byte[] source, int offset, int length) throws SQLException {
    append(
        offset == 0 && length == source.length
            ? source
            : Arrays.copyOfRange(source, offset, offset + length));
  }

  @Override
  public void endRow() throws SQLException {
    if (column != decimalScales.length) {
      throw new IllegalStateException(
          "row has " + column + " values for " + decimalScales.length + " columns");
    }
    appender.endRow();
    rowOpen = false;
    column = 0;
  }

  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    appender.close();
    if (shadowMove != null) {
      try (java.sql.Statement statement = connection.createStatement()) {
        statement.execute(shadowMove);
        statement.execute(shadowDrop);
      }
    }
  }

  @Override
  public void abandon() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // The public appender frees its native memory only in close(), which insists on whole rows:
      // complete the half-written row with NULLs. What close() writes is rolled back with the
      // transaction the failure aborts.
      if (rowOpen) {
        while (column < decimalScales.length) {
          appendNull();
        }
        appender.endRow();
      }
      appender.close();
    } catch (SQLException | RuntimeException e) {
      // the failure being handled is what matters
    }
  }
}
