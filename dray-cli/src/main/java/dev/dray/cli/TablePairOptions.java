package dev.dray.cli;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
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

  ConnectionConfig sourceConfig(ConnectionOptions connection) {
    return connection.forUrl(source);
  }

  /** The target server, or null for "the source server". */
  ConnectionConfig targetConfig(ConnectionOptions connection) {
    return target == null ? null : connection.forUrl(target);
  }

  TableName sourceTable() {
    return TableName.parse(table);
  }

  TableName targetTable() {
    return TableName.parse(targetTable);
  }
}
