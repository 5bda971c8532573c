package dev.dray.workload;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Workload W1: a skewed, monthly RANGE-partitioned {@code orders} table (partitions grow from about
 * 0.7% of the rows in January to about 16% in December). Rows are generated on the server from
 * MariaDB's sequence engine, in chunks, so a million rows take seconds. Used by {@code dray demo}
 * and the benchmarks.
 */
public final class OrdersWorkload {
  private static final int CHUNK = 100_000;

  private OrdersWorkload() {}

  /** The table definition of W1. */
  public static String createTableSql(Dialect dialect, TableName table) {
    StringBuilder partitions = new StringBuilder();
    for (int month = 1; month <= 12; month++) {
      String name = String.format("p%02d", month);
      String bound =
          month == 12 ? "MAXVALUE" : String.format("(TO_DAYS('2026-%02d-01'))", month + 1);
      partitions
          .append(month == 1 ? "" : ", ")
          .append("PARTITION ")
          .append(name)
          .append(" VALUES LESS THAN ")
          .append(bound);
    }
    return "CREATE TABLE "
        + dialect.quote(table)
        + " (id BIGINT NOT NULL, created DATETIME NOT NULL, customer_id INT NOT NULL,"
        + " status ENUM('new','paid','shipped','cancelled') NOT NULL, amount DECIMAL(12,2) NOT NULL,"
        + " discount DOUBLE NULL, currency CHAR(3) NOT NULL, note VARCHAR(200) NULL, ship_date DATE NULL,"
        + " flags TINYINT UNSIGNED NOT NULL, PRIMARY KEY (id, created))"
        + " PARTITION BY RANGE (TO_DAYS(created)) ("
        + partitions
        + ")";
  }

  /** Creates the table (dropping an old one) and fills it with {@code rows} rows. */
  public static void create(Connection connection, Dialect dialect, TableName table, long rows) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + dialect.quote(table));
      statement.execute(createTableSql(dialect, table));
      insertRows(connection, dialect, table, 1, rows, rows);
      statement.execute("ANALYZE TABLE " + dialect.quote(table));
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.INTERNAL,
          "cannot generate workload W1 in " + table + ": " + SqlErrors.describe(e),
          e);
    }
  }

  /** Inserts rows {@code from..to} (1-based, inclusive) of a table of {@code total} rows. */
  public static void insertRows(
      Connection connection, Dialect dialect, TableName table, long from, long to, long total)
      throws SQLException {
    String sql =
        "INSERT INTO "
            + dialect.quote(table)
            + " SELECT n, TIMESTAMP('2026-01-01') + INTERVAL FLOOR(SQRT(n / ?) * 364) DAY + INTERVAL (n * 7) % 86400 SECOND,"
            + " (n * 7919) % 100000, ELT(1 + n % 4, 'new', 'paid', 'shipped', 'cancelled'),"
            + " ((n * 37) % 100000) / 100, IF(n % 5 = 0, NULL, (n % 100) / 100), ELT(1 + n % 3, 'EUR', 'USD', 'GBP'),"
            + " IF(n % 3 = 0, NULL, CONCAT('order note ', n)),"
            + " IF(n % 4 = 0, NULL, DATE('2026-01-01') + INTERVAL (FLOOR(SQRT(n / ?) * 364) + 3) DAY), n % 256"
            + " FROM (SELECT seq + ? AS n FROM seq_0_to_"
            + (CHUNK - 1)
            + ") s WHERE n <= ?";
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      for (long base = from; base <= to; base += CHUNK) {
        insert.setDouble(1, total);
        insert.setDouble(2, total);
        insert.setLong(3, base);
        insert.setLong(4, to);
        insert.executeUpdate();
      }
    }
  }
}
