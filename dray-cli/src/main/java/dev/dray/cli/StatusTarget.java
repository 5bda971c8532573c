package dev.dray.cli;

import picocli.CommandLine.Option;

/** Where a running job's status server is: {@code --port} and {@code --host}. */
final class StatusTarget {
  @Option(
      names = "--port",
      required = true,
      paramLabel = "PORT",
      description = "The job's --status-port.")
  int port;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Where the job runs (default: ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  StatusClient client() {
    return new StatusClient(host, port);
  }
}
