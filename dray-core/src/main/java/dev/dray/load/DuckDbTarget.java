package dev.dray.load;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;

/**
 * The DuckDB file a load writes into. Rows go into a staging table per target table; {@link
 * #publish} swaps staging in for the target in one transaction, so a reader sees the old table or
 * the new one, never half of it.
 */
final class DuckDbTarget implements AutoCloseable {
  static final String STAGING_PREFIX = "_dray_staging_";

  private final Path file;
  private final DuckDBConnection connection;

  private DuckDbTarget(Path file, DuckDBConnection connection) {
    this.file = file;
    this.connection = connection;
  }

  static DuckDbTarget open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null && !java.nio.file.Files.isDirectory(parent)) {
        throw new DrayException(
            ErrorCode.TARGET_UNAVAILABLE,
            "cannot open DuckDB file " + file + ": folder " + parent + " does not exist");
      }
      Connection connection = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
      return new DuckDbTarget(file, connection.unwrap(DuckDBConnection.class));
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "cannot open DuckDB file " + file + ": " + firstLine(e.getMessage()),
          e);
    }
  }

  /** A new connection to the same database, for one worker. */
  DuckDBConnection newConnection() throws SQLException {
    return connection.duplicate().unwrap(DuckDBConnection.class);
  }

  Path file() {
    return file;
  }

  static String stagingName(String targetTable) {
    return STAGING_PREFIX + targetTable;
  }

  /** (Re)creates the empty staging table for a target. */
  void createStaging(String targetTable, List<DuckDbColumn> columns) {
    String definition =
        columns.stream()
            .map(c -> quote(c.source().name()) + " " + c.duckDbType())
            .collect(Collectors.joining(", "));
    execute(
        "DROP TABLE IF EXISTS " + quote(stagingName(targetTable)),
        "CREATE TABLE " + quote(stagingName(targetTable)) + " (" + definition + ")");
  }

  /** Replaces each target table by its staging table, all in one transaction. */
  void publish(List<String> targetTables) {
    try {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        for (String target : targetTables) {
          statement.execute("DROP TABLE IF EXISTS " + quote(target));
          statement.execute(
              "ALTER TABLE " + quote(stagingName(target)) + " RENAME TO " + quote(target));
        }
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "cannot publish the loaded tables in " + file + ": " + firstLine(e.getMessage()),
          e);
    }
  }

  /** Removes staging tables after a failure; the targets are untouched. */
  void dropStaging(List<String> targetTables) {
    for (String target : targetTables) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + quote(stagingName(target)));
      } catch (SQLException e) {
        // best effort: the failure that brought us here is the one to report
      }
    }
  }

  void execute(String... statements) {
    try (Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "DuckDB file " + file + ": " + firstLine(e.getMessage()),
          e);
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int newline = message.indexOf('\n');
    return newline >= 0 ? message.substring(0, newline) : message;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // nothing left to do
    }
  }
}
