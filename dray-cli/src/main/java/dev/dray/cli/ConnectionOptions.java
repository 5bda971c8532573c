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

  @Option(
      names = "--defaults-file",
      paramLabel = "FILE",
      description =
          "Read user and password from the [client] group of this MySQL option file"
              + " (default: ~/.my.cnf when it exists).")
  Path defaultsFile;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Give up connecting to a server after this long (default: 10s).")
  java.time.Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

  static final java.time.Duration DEFAULT_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(10);

  /** The connection settings for a URL given on the command line. */
  public ConnectionConfig forUrl(String url) {
    return forUrl(url, CliEnvironment.get());
  }

  ConnectionConfig forUrl(String url, Map<String, String> environment) {
    return credentials().forUrl(withConnectTimeout(url), environment);
  }

  /**
   * The URL unchanged; sets this run's connect timeout for every connection that does not set the
   * driver's {@code connectTimeout} in its URL (the URL stays as given, so it compares and prints
   * as the user wrote it).
   */
  String withConnectTimeout(String url) {
    dev.dray.db.Connections.defaultConnectTimeout(connectTimeout);
    return url;
  }

  /**
   * These options as {@link Credentials}, the fallback of {@code --target-*} and {@code
   * --replica-*}.
   */
  Credentials credentials() {
    return new Credentials("--", user, passwordEnv, passwordFile, defaultsFile);
  }
}
