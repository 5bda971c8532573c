package dev.dray.cli;

import dev.dray.db.ConnectionConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which queue a command works on: {@code --db URL --queue NAME} plus the connection options. */
public final class QueueTarget {
  @Option(
      names = "--db",
      required = true,
      paramLabel = "URL",
      description = "JDBC URL of the database that holds the queue.")
  String db;

  @Option(
      names = "--queue",
      required = true,
      paramLabel = "NAME",
      description = "Queue (table) name.")
  String queue;

  @Mixin ConnectionOptions connection;

  ConnectionConfig config() {
    return connection.forUrl(db);
  }
}
