package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which table goes where: the options {@code copy} and {@code verify} share. */
public final class TablePairOptions {
  @Option(
      names = "--source",
      required = true,
      paramLabel = "URL",
      description = "Source JDBC URL, e.g. jdbc:mariadb://127.0.0.1:3306/shop")
  String source;

  @Option(names = "--table", required = true, paramLabel = "DB.T", description = "Source table.")
  String table;

  @Option(
      names = "--target",
      paramLabel = "URL",
      description = "Target JDBC URL (default: the source).")
  String target;

  @Option(
      names = "--target-table",
      required = true,
      paramLabel = "DB.T2",
      description = "Target table (it must exist).")
  String targetTable;

  @Option(
      names = "--target-user",
      paramLabel = "USER",
      description =
          "User on --target (default: from its URL, else root; without any --target-*"
              + " option the target uses the source's credentials).")
  String targetUser;

  @Option(
      names = "--target-password-env",
      paramLabel = "VAR",
      description = "Read the --target password from this environment variable.")
  String targetPasswordEnv;

  @Option(
      names = "--target-password-file",
      paramLabel = "FILE",
      description = "Read the --target password from the first line of this file.")
  Path targetPasswordFile;

  ConnectionConfig sourceConfig(ConnectionOptions connection, Map<String, String> environment) {
    return connection.forUrl(source, environment);
  }

  /**
   * The target server, or null for "the source server". Its credentials are the {@code --target-*}
   * ones when any is given, else the source's.
   */
  ConnectionConfig targetConfig(ConnectionOptions connection, Map<String, String> environment) {
    Credentials own =
        new Credentials("--target-", targetUser, targetPasswordEnv, targetPasswordFile);
    if (target == null) {
      if (own.given()) {
        throw DrayException.usage(
            own.optionNames()
                + " need --target URL: without it the target is the source server,"
                + " reached with the source's credentials");
      }
      return null;
    }
    return own.forUrlOr(
        connection.credentials(), connection.withConnectTimeout(target), environment);
  }

  TableName sourceTable() {
    return TableName.parse(table);
  }

  TableName targetTable() {
    return TableName.parse(targetTable);
  }
}
