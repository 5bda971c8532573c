package dev.dray.load;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Test helper run as a second process while {@code load --follow --share-file} runs: opens the
 * DuckDB file read-only over and over (retrying while the follower holds it), queries {@code SQL}
 * (one number) and prints "seen N" whenever the number changes, until it sees {@code expected} or
 * the time is up; then "opened O failed F".
 *
 * <p>Arguments: file sql expected timeoutSeconds
 */
public final class FollowReaderMain {
  private FollowReaderMain() {}

  public static void main(String[] args) throws Exception {
    String url = "jdbc:duckdb:" + args[0];
    String sql = args[1];
    long expected = Long.parseLong(args[2]);
    long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    long opened = 0;
    long failed = 0;
    long last = Long.MIN_VALUE;
    while (System.nanoTime() < deadline && last != expected) {
      try (Connection connection = DriverManager.getConnection(url, readOnly);
          Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery(sql)) {
        opened++;
        rs.next();
        long value = rs.getLong(1);
        if (value != last) {
          last = value;
          System.out.println("seen " + value);
          System.out.flush();
        }
      } catch (SQLException e) {
        failed++; // the follower has the file open: try again in a moment
      }
      Thread.sleep(20);
    }
    System.out.println("opened " + opened + " failed " + failed);
    System.out.flush();
  }
}
