package dev.dray.load;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.PartitionInfo;
import dev.dray.db.TableName;
import dev.dray.plan.KeyCodec;
import dev.dray.plan.KeyRange;
import dev.dray.plan.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DuckDB file a load writes into. Rows go into a staging table per target table; {@link
 * #publish} swaps staging in for the target in one transaction, so a reader sees the old table or
 * the new one, never half of it.
 *
 * <p>The plan of a running load lives in the same file ({@code _dray_load_job}, {@code
 * _dray_load_tasks}) and each finished task adds a row to {@code _dray_load_done} in the same
 * transaction as its rows: after a crash, {@code --resume} finds exactly the tasks whose rows are
 * in staging, and re-runs the others with the same boundaries. {@code _dray_load_columns} records
 * the source columns each staging table was made for, so a resume can refuse a source whose shape
 * changed.
 *
 * <p>Every statement that publishes or cleans up is one DuckDB can replay from its write-ahead log
 * (CREATE, DROP, RENAME, INSERT; checked by killing after the commit in {@code
 * DuckDbTargetReplayTest}): DuckDB 1.4 cannot replay {@code ALTER COLUMN ... SET DATA TYPE}, and a
 * crash after such a commit leaves a file nothing can open.
 */
final class DuckDbTarget implements AutoCloseable {
  static final String STAGING_PREFIX = "_dray_staging_";
  static final String JOB_TABLE = "_dray_load_job";
  static final String TASKS_TABLE = "_dray_load_tasks";
  static final String DONE_TABLE = "_dray_load_done";
  static final String COLUMNS_TABLE = "_dray_load_columns";

  private static final Logger LOG = LoggerFactory.getLogger(DuckDbTarget.class);

  private final Path file;
  private DuckDBConnection connection;

  private DuckDbTarget(Path file, DuckDBConnection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Starts loading DuckDB's native library (the driver unpacks about 60 MB from its jar, a second
   * of work) on a background thread, so it overlaps with reading the source's schema and planning.
   */
  static void preloadNativeLibrary() {
    Thread preload =
        new Thread(
            () -> {
              try {
                Class.forName("org.duckdb.DuckDBNative", true, DuckDbTarget.class.getClassLoader());
              } catch (ClassNotFoundException | LinkageError e) {
                // open() reports it properly
              }
            },
            "dray-duckdb-preload");
    preload.setDaemon(true);
    preload.start();
  }

  static DuckDbTarget open(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "cannot open DuckDB file " + file + ": folder " + parent + " does not exist");
    }
    try {
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

  /** A task as stored for resume, with its target table. */
  record StoredTask(Task task, String targetTable) {}

  /**
   * A column of a staging table as an interrupted load made it.
   *
   * @param name the column name
   * @param sourceType the source's full column type ({@code int(11)}), or null where an older
   *     version of dray did not record it
   * @param duckDbType the DuckDB type of the staging column
   */
  record StoredColumn(String name, String sourceType, String duckDbType) {}

  /** What an interrupted load left: its plan and the tasks already done. */
  record StoredJob(String sources, List<StoredTask> tasks, Map<Long, TaskReport> done) {
    /** The distinct target tables of the plan, in the order of their first task. */
    List<String> targets() {
      return tasks.stream().map(StoredTask::targetTable).distinct().toList();
    }
  }

  /** The interrupted load recorded in this file, if any. */
  Optional<StoredJob> storedJob() {
    try {
      if (!tableExists(JOB_TABLE) || !tableExists(TASKS_TABLE) || !tableExists(DONE_TABLE)) {
        return Optional.empty();
      }
      String sources;
      try (Statement statement = connection.createStatement();
          ResultSet rs = statement.executeQuery("SELECT sources FROM " + JOB_TABLE)) {
        if (!rs.next()) {
          return Optional.empty();
        }
        sources = rs.getString(1);
      }
      List<StoredTask> tasks = new ArrayList<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs =
              statement.executeQuery(
                  "SELECT seq, source_table, target_table, partition_name, partition_parent,"
                      + " lower_key, upper_key, estimated_rows FROM "
                      + TASKS_TABLE
                      + " ORDER BY seq")) {
        while (rs.next()) {
          TableName table = TableName.parse(rs.getString(2));
          String partitionName = rs.getString(4);
          PartitionInfo partition =
              partitionName == null ? null : new PartitionInfo(partitionName, rs.getString(5), 0);
          KeyRange range =
              new KeyRange(
                  KeyCodec.decodeKey(rs.getString(6)), KeyCodec.decodeKey(rs.getString(7)));
          tasks.add(
              new StoredTask(
                  new Task(rs.getLong(1), table, partition, range, rs.getLong(8)),
                  rs.getString(3)));
        }
      }
      Map<Long, TaskReport> done = new java.util.TreeMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs =
              statement.executeQuery(
                  "SELECT d.seq, t.source_table, t.partition_parent, t.partition_name, t.lower_key,"
                      + " t.upper_key, d.worker, d.rows, d.seconds, d.retries, d.zero_dates FROM "
                      + DONE_TABLE
                      + " d JOIN "
                      + TASKS_TABLE
                      + " t USING (seq) ORDER BY d.seq")) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          Task task =
              tasks.stream().filter(t -> t.task().sequence() == seq).findFirst().get().task();
          done.put(
              seq,
              new TaskReport(
                  seq,
                  rs.getString(2),
                  task.partition() == null ? null : task.partition().label(),
                  task.range().isAll() ? null : task.range().toString(),
                  rs.getInt(7),
                  rs.getLong(8),
                  rs.getDouble(9),
                  rs.getInt(10),
                  rs.getLong(11)));
        }
      }
      return Optional.of(new StoredJob(sources, tasks, done));
    } catch (SQLException | RuntimeException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "cannot read the state of an interrupted load in "
              + file
              + ": "
              + firstLine(e.getMessage()),
          e);
    }
  }

  /**
   * Starts a new load: removes what an interrupted one left, creates the empty staging tables and
   * records the plan, all in one transaction.
   */
  void startFresh(String sources, List<LoadTable> tables, List<Task> tasks) {
    inTransaction(
        statement -> {
          dropState(statement);
          for (LoadTable table : tables) {
            String definition =
                table.columns().stream()
                    .map(c -> quote(c.source().name()) + " " + c.duckDbType())
                    .collect(Collectors.joining(", "));
            refuseForeignStagingTable(table.targetTable());
            statement.execute(
                "CREATE TABLE "
                    + quote(stagingName(table.targetTable()))
                    + " ("
                    + definition
                    + ")");
          }
          statement.execute("CREATE TABLE " + JOB_TABLE + " (sources VARCHAR, started TIMESTAMP)");
          statement.execute(
              "CREATE TABLE "
                  + TASKS_TABLE
                  + " (seq BIGINT, source_table VARCHAR, target_table VARCHAR, partition_name"
                  + " VARCHAR, partition_parent VARCHAR, lower_key VARCHAR, upper_key VARCHAR,"
                  + " estimated_rows BIGINT)");
          statement.execute(
              "CREATE TABLE "
                  + DONE_TABLE
                  + " (seq BIGINT, worker INTEGER, rows BIGINT, seconds DOUBLE, retries INTEGER,"
                  + " zero_dates BIGINT)");
          statement.execute(
              "CREATE TABLE "
                  + COLUMNS_TABLE
                  + " (target_table VARCHAR, position INTEGER, name VARCHAR, source_type VARCHAR,"
                  + " duckdb_type VARCHAR)");
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO " + COLUMNS_TABLE + " VALUES (?, ?, ?, ?, ?)")) {
            for (LoadTable table : tables) {
              int position = 0;
              for (DuckDbColumn column : table.columns()) {
                insert.setString(1, table.targetTable());
                insert.setInt(2, ++position);
                insert.setString(3, column.source().name());
                insert.setString(4, column.source().columnType());
                insert.setString(5, column.duckDbType());
                insert.addBatch();
              }
            }
            insert.executeBatch();
          }
          try (PreparedStatement job =
              connection.prepareStatement(
                  "INSERT INTO " + JOB_TABLE + " VALUES (?, current_timestamp)")) {
            job.setString(1, sources);
            job.execute();
          }
          Map<String, String> targets =
              tables.stream()
                  .collect(
                      Collectors.toMap(t -> t.info().name().toString(), LoadTable::targetTable));
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO " + TASKS_TABLE + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Task task : tasks) {
              insert.setLong(1, task.sequence());
              insert.setString(2, task.table().toQualifiedText());
              insert.setString(3, targets.get(task.table().toString()));
              insert.setString(4, task.partition() == null ? null : task.partition().name());
              insert.setString(5, task.partition() == null ? null : task.partition().parent());
              insert.setString(6, KeyCodec.encodeKey(task.range().lower()));
              insert.setString(7, KeyCodec.encodeKey(task.range().upper()));
              insert.setLong(8, task.estimatedRows());
              insert.addBatch();
            }
            insert.executeBatch();
          }
        },
        "cannot prepare the load in ");
  }

  /** The done-mark a worker inserts in the same transaction as the task's rows. */
  static String doneMarkSql() {
    return "INSERT INTO " + DONE_TABLE + " VALUES (?, ?, ?, ?, ?, ?)";
  }

  /**
   * A table that has the staging name of {@code targetTable} but that no recorded load made (the
   * recorded ones were dropped just before) is the user's: never drop it.
   */
  private void refuseForeignStagingTable(String targetTable) throws SQLException {
    String staging = stagingName(targetTable);
    if (tableExists(staging)) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "the DuckDB file "
              + file
              + " has a table "
              + staging
              + " that no dray load made; dray stages "
              + targetTable
              + " under that name and will not drop your table: rename it, or load into another"
              + " table name (--target-table)");
    }
  }

  /**
   * The columns of the staging table of {@code targetTable} as the interrupted load made it: names
   * and DuckDB types as the table has them, with the source types the load recorded (null from an
   * older dray that did not record them). Empty if the staging table is missing.
   */
  List<StoredColumn> stagedColumns(String targetTable) {
    try {
      List<String> names = new ArrayList<>();
      List<String> types = new ArrayList<>();
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
                  + " 'main' AND table_name = ? ORDER BY ordinal_position")) {
        statement.setString(1, stagingName(targetTable));
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            names.add(rs.getString(1));
            types.add(rs.getString(2));
          }
        }
      }
      Map<Integer, String> sourceTypes = new java.util.HashMap<>();
      if (tableExists(COLUMNS_TABLE)) {
        try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT position, name, source_type FROM "
                    + COLUMNS_TABLE
                    + " WHERE target_table = ? ORDER BY position")) {
          statement.setString(1, targetTable);
          try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
              int index = rs.getInt(1) - 1;
              if (index < names.size() && names.get(index).equals(rs.getString(2))) {
                sourceTypes.put(index, rs.getString(3));
              }
            }
          }
        }
      }
      List<StoredColumn> columns = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        columns.add(new StoredColumn(names.get(i), sourceTypes.get(i), types.get(i)));
      }
      return columns;
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "cannot read the staging table of "
              + targetTable
              + " in "
              + file
              + ": "
              + firstLine(e.getMessage()),
          e);
    }
  }

  /**
   * Replaces each target table by its staging table and forgets the load's state, all in one
   * transaction. Only DROP and RENAME: the staging tables already have the final types, and DuckDB
   * replays both from its write-ahead log after a crash.
   */
  void publish(List<LoadTable> tables) {
    publish(tables, connection -> {});
  }

  /** What else commits with a publish (follow's position, in the same transaction). */
  @FunctionalInterface
  interface PublishStep {
    void run(Connection connection) throws SQLException;
  }

  /** {@link #publish(List)}, with {@code step} in the same transaction. */
  void publish(List<LoadTable> tables, PublishStep step) {
    inTransaction(
        statement -> {
          step.run(connection);
          for (LoadTable table : tables) {
            statement.execute("DROP TABLE IF EXISTS " + quote(table.targetTable()));
            statement.execute(
                "ALTER TABLE "
                    + quote(stagingName(table.targetTable()))
                    + " RENAME TO "
                    + quote(table.targetTable()));
          }
          dropBookkeeping(statement);
        },
        "cannot publish the loaded tables in ");
  }

  /**
   * Removes staging tables and state after a failure, in one transaction; the targets are
   * untouched. A fatal error (a full disk) can leave DuckDB's connection unusable: then the file is
   * opened anew, which replays what was committed, and cleaned there. Best effort: the failure that
   * brought us here is the one to report, and this one is added to it as suppressed.
   */
  void abandon(List<LoadTable> tables, Throwable failure) {
    try {
      dropStaging(connection, tables);
      return;
    } catch (SQLException | RuntimeException e) {
      LOG.debug("cleanup of {} failed, reopening it: {}", file, firstLine(e.getMessage()));
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // it is being replaced
    }
    try {
      connection =
          DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath())
              .unwrap(DuckDBConnection.class);
      dropStaging(connection, tables);
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(
          new DrayException(
              ErrorCode.TARGET_UNAVAILABLE,
              "could not remove the staging tables from "
                  + file
                  + " ("
                  + firstLine(e.getMessage())
                  + "); the next load without --resume removes them",
              e));
    }
  }

  private void dropStaging(DuckDBConnection on, List<LoadTable> tables) throws SQLException {
    on.setAutoCommit(false);
    try (Statement statement = on.createStatement()) {
      for (LoadTable table : tables) {
        statement.execute("DROP TABLE IF EXISTS " + quote(stagingName(table.targetTable())));
      }
      dropState(statement);
      on.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        on.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    } finally {
      try {
        on.setAutoCommit(true);
      } catch (SQLException e) {
        // the connection is broken: the caller finds out
      }
    }
  }

  private void dropState(Statement statement) throws SQLException {
    if (tableExists(TASKS_TABLE)) {
      List<String> oldTargets = new ArrayList<>();
      try (ResultSet rs =
          statement.executeQuery("SELECT DISTINCT target_table FROM " + TASKS_TABLE)) {
        while (rs.next()) {
          oldTargets.add(rs.getString(1));
        }
      }
      for (String target : oldTargets) {
        statement.execute("DROP TABLE IF EXISTS " + quote(stagingName(target)));
      }
    }
    dropBookkeeping(statement);
  }

  private static void dropBookkeeping(Statement statement) throws SQLException {
    statement.execute("DROP TABLE IF EXISTS " + COLUMNS_TABLE);
    statement.execute("DROP TABLE IF EXISTS " + DONE_TABLE);
    statement.execute("DROP TABLE IF EXISTS " + TASKS_TABLE);
    statement.execute("DROP TABLE IF EXISTS " + JOB_TABLE);
  }

  private boolean tableExists(String name) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND"
                + " table_name = ?")) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }

  @FunctionalInterface
  private interface StatementWork {
    void run(Statement statement) throws SQLException;
  }

  private void inTransaction(StatementWork work, String failureContext) {
    try {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        work.run(statement);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          failureContext + file + ": " + firstLine(e.getMessage()),
          e);
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  static String firstLine(String message) {
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
