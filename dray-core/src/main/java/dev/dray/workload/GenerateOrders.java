package dev.dray.workload;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialects;
import dev.dray.db.TableName;
import java.sql.Connection;

/**
 * Creates workload W1 from the command line, for scripts and benchmarks: {@code java -cp dray.jar
 * dev.dray.workload.GenerateOrders JDBC_URL DB.TABLE ROWS}.
 */
public final class GenerateOrders {
  private GenerateOrders() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: GenerateOrders JDBC_URL DB.TABLE ROWS");
      System.exit(2);
    }
    try (Connection connection = Connections.open(ConnectionConfig.of(args[0]))) {
      OrdersWorkload.create(
          connection,
          Dialects.detect(connection),
          TableName.parse(args[1]),
          Long.parseLong(args[2]));
    }
  }
}
