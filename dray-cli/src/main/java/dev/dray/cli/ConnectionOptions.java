package dev.dray.cli;

import dev.dray.db.ConnectionConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How a command authenticates: user and password source. Shared by every command that connects.
 * Passwords come from an environment variable or a file (or the URL), never from a plain flag, so
 * they do not show in process lists or shell history.
 */
public final class ConnectionOptions {
  @Option(
      names = "--user",
      paramLabel = "USER",
      description = "User name (default: from the URL, else root).")
  String user;

  @Option(
      names = "--password-env",
      paramLabel = "VAR",
      description = "Read the password from this environment variable.")
  String passwordEnv;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the password from the first line of this file.")
  Path passwordFile;

  /** The connection settings for a URL given on the command line. */
  public ConnectionConfig forUrl(String url) {
    return forUrl(url, CliEnvironment.get());
  }

  ConnectionConfig forUrl(String url, Map<String, String> environment) {
    return credentials().forUrl(url, environment);
  }

  /**
   * These options as {@link Credentials}, the fallback of {@code --target-*} and {@code
   * --replica-*}.
   */
  Credentials credentials() {
    return new Credentials("--", user, passwordEnv, passwordFile);
  }
}
