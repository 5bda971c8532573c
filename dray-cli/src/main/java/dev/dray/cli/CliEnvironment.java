package dev.dray.cli;

import java.util.Map;

/** The environment variables a run reads (passwords): the process's, or a test's. */
final class CliEnvironment {
  private static volatile Map<String, String> environment = System.getenv();

  private CliEnvironment() {}

  static void set(Map<String, String> values) {
    environment = Map.copyOf(values);
  }

  static Map<String, String> get() {
    return environment;
  }
}
