package dev.dray.bench.load;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.TableName;
import dev.dray.workload.OrdersWorkload;
import java.sql.Connection;
import java.sql.Statement;

/**
 * Creates workload W1 ({@code SCHEMA.orders}, ROWS rows). Arguments: {@code SERVER_URL SCHEMA
 * ROWS}.
 */
public final class GenerateW1 {
  private GenerateW1() {}

  public static void main(String[] args) throws Exception {
    ConnectionConfig server = ConnectionConfig.of(args[0]);
    String schema = args[1];
    long rows = Long.parseLong(args[2]);
    try (Connection connection = Connections.open(server);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE IF NOT EXISTS `" + schema + "`");
      statement.execute(
          "USE `" + schema + "`"); // the sequence tables W1 is built from are per schema
      Dialect dialect = Dialects.detect(connection);
      long started = System.nanoTime();
      OrdersWorkload.create(connection, dialect, new TableName(schema, "orders"), rows);
      System.out.printf(
          "generated %,d rows of W1 in %s.orders in %.1f s%n",
          rows, schema, (System.nanoTime() - started) / 1e9);
    }
  }
}
