package dev.dray.testing;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A private embedded MariaDB with a binary log in ROW format with full images, started once per
 * test JVM on first use and stopped when the JVM ends; the change stream and online copy tests
 * share it.
 */
public final class BinlogServer {
  public static final List<String> ARGS =
      List.of(
          "--innodb-buffer-pool-size=64M",
          "--innodb-log-file-size=48M",
          "--server-id=1",
          "--log-bin=dray-bin",
          "--binlog-format=ROW",
          "--binlog-row-image=FULL");

  private static EmbeddedMariaDb server;
  private static String version;

  private BinlogServer() {}

  public static synchronized EmbeddedMariaDb server() {
    if (server == null) {
      EmbeddedMariaDb started = EmbeddedMariaDb.start(ARGS);
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "dray-binlog-mariadb-stop"));
      try (Connection connection = Connections.open(started.connectionConfig("mysql"))) {
        version = connection.getMetaData().getDatabaseProductVersion();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      server = started;
    }
    return server;
  }

  /** A fresh schema on the binlog server, for one test class. */
  public static TestDatabase newDatabase(String prefix) {
    ConnectionConfig config = server().connectionConfig("mysql");
    String schema =
        ("dray_" + prefix + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)))
            .toLowerCase(Locale.ROOT);
    try (Connection connection = Connections.open(config);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE DATABASE `" + schema + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new TestDatabase(config, schema, version);
  }
}
