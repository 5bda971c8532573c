package dev.dray.load;

import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Test helper run as a separate process: opens a DuckDB file (taking its lock), prints "ready" and
 * holds it until its standard input closes.
 */
public final class HoldDuckDbFile {
  private HoldDuckDbFile() {}

  public static void main(String[] args) throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
      connection.createStatement().execute("CREATE TABLE IF NOT EXISTS held (x INT)");
      System.out.println("ready");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our input
      }
    }
  }
}
