package dev.dray.copy;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Opens the workers' connections with the session settings copy and verify rely on. */
final class SessionConnections {
  private SessionConnections() {}

  /**
   * @param lockWaitTimeout the session's innodb_lock_wait_timeout, or null for the server's
   * @param utc whether to read and write TIMESTAMPs in UTC (so two servers in different time zones
   *     agree on them)
   */
  static Connection open(ConnectionConfig config, Duration lockWaitTimeout, boolean utc)
      throws SQLException {
    Connection connection = Connections.open(config);
    try (Statement statement = connection.createStatement()) {
      if (lockWaitTimeout != null) {
        statement.execute(
            "SET SESSION innodb_lock_wait_timeout = " + Math.max(1, lockWaitTimeout.toSeconds()));
      }
      if (utc) {
        statement.execute("SET SESSION time_zone = '+00:00'");
      }
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }
}
