package dev.dray.load;

import static dev.dray.load.DuckDbTarget.firstLine;
import static dev.dray.load.DuckDbTarget.quote;
import static java.util.stream.Collectors.joining;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.BinlogPosition;
import dev.dray.db.TableName;
import dev.dray.load.spi.RowSink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DuckDB side of {@code load --follow}: the followed tables, the binary-log position they are
 * current to (in the dray-owned schema {@value #SCHEMA}), and one TEMP batch table per followed
 * table.
 *
 * <p>A batch goes in as one DuckDB transaction: the batch's final row images (one per key, a delete
 * marker where the last change deleted it) are appended into the batch table (in memory: temp
 * tables are not written to the file or its log), then {@code DELETE FROM t WHERE key IN (SELECT
 * key FROM batch)} removes every key the batch touches and {@code INSERT INTO t SELECT ... WHERE
 * NOT deleted} puts the new images in, and the position row moves to where the batch ends. A crash
 * leaves either all of it or none, so a restart from the stored position applies every change
 * exactly once.
 *
 * <p>Each table also has a floor: the position of the snapshot its rows came from (the first load,
 * or a reload after a schema change). Changes at or before a table's floor are in its rows already
 * and are skipped. A table marked for reload (a schema change came through the log) is reloaded
 * before anything else is applied to it.
 */
public final class FollowTarget implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FollowTarget.class);
  static final String SCHEMA = "_dray_follow";
  private static final String POSITION = SCHEMA + ".position";
  private static final String TABLES = SCHEMA + ".tables";
  private static final String DELETE_FLAG = "_dray_delete";

  private final Path file;
  private DuckDBConnection connection;
  private final Map<String, FollowTable> shapes = new HashMap<>();
  private final Set<String> batchTables = new HashSet<>();

  /** One row's final state in a batch: its last image, or its last known image and a delete. */
  public record ImageRow(boolean delete, List<Object> image) {}

  /**
   * What a followed file records.
   *
   * @param sources the load's sources label (which tables went where)
   * @param position the position the tables are current to
   * @param tables per source table: its floor and whether it awaits a reload
   */
  public record State(String sources, BinlogPosition position, Map<TableName, TableState> tables) {}

  /** A followed table's floor and whether a schema change left it waiting for a reload. */
  public record TableState(
      TableName source, String targetTable, BinlogPosition floor, boolean reload) {}

  private FollowTarget(Path file, DuckDBConnection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Opens the file for writing. */
  public static FollowTarget open(Path file) {
    return new FollowTarget(file, connect(file));
  }

  private static DuckDBConnection connect(Path file) {
    try {
      return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath())
          .unwrap(DuckDBConnection.class);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "cannot open DuckDB file " + file + ": " + firstLine(e.getMessage()),
          e);
    }
  }

  public Path file() {
    return file;
  }

  /** Whether the file is open (between batches with readers served, it is not). */
  public boolean isOpen() {
    return connection != null;
  }

  /**
   * Checkpoints and closes the file so that other processes can open it (DuckDB lets one process at
   * a time have a file open for writing, and none read while it does).
   */
  public void release() {
    if (connection == null) {
      return;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("CHECKPOINT");
    } catch (SQLException e) {
      // the log is replayed on the next open either way
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // nothing to do
    }
    connection = null;
    batchTables.clear(); // temp tables go with the connection
  }

  /**
   * Opens the file again after {@link #release}; returns false while a reader still has it open
   * (DuckDB's file lock), so the caller retries after a moment.
   */
  public boolean tryReopen() {
    if (connection != null) {
      return true;
    }
    try {
      connection =
          DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath())
              .unwrap(DuckDBConnection.class);
      return true;
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("lock")) {
        return false;
      }
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "cannot open DuckDB file " + file + " again: " + firstLine(e.getMessage()),
          e);
    }
  }

  /** The follow state recorded in the file, if a followed load was published into it. */
  public Optional<State> state() {
    try {
      if (!exists("position") || !exists("tables")) {
        return Optional.empty();
      }
      String sources;
      BinlogPosition position;
      try (Statement statement = connection.createStatement();
          ResultSet rs =
              statement.executeQuery("SELECT sources, file, pos, gtid FROM " + POSITION)) {
        if (!rs.next()) {
          return Optional.empty();
        }
        sources = rs.getString(1);
        position = new BinlogPosition(rs.getString(2), rs.getLong(3), rs.getString(4));
      }
      Map<TableName, TableState> tables = new LinkedHashMap<>();
      try (Statement statement = connection.createStatement();
          ResultSet rs =
              statement.executeQuery(
                  "SELECT source_schema, source_table, target_table, floor_file, floor_pos,"
                      + " reload FROM "
                      + TABLES
                      + " ORDER BY ordinal")) {
        while (rs.next()) {
          TableName name = new TableName(rs.getString(1), rs.getString(2));
          tables.put(
              name,
              new TableState(
                  name,
                  rs.getString(3),
                  new BinlogPosition(rs.getString(4), rs.getLong(5), null),
                  rs.getBoolean(6)));
        }
      }
      return Optional.of(new State(sources, position, tables));
    } catch (SQLException e) {
      throw failure("cannot read the follow state in ", e);
    }
  }

  /**
   * Records a freshly published load as followed from {@code position}: called inside the publish
   * transaction, so the tables and their position appear together.
   */
  static void recordFollowStart(
      Connection duck, String sources, List<LoadTable> tables, BinlogPosition position)
      throws SQLException {
    try (Statement statement = duck.createStatement()) {
      statement.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
      statement.execute("DROP TABLE IF EXISTS " + POSITION);
      statement.execute("DROP TABLE IF EXISTS " + TABLES);
      statement.execute(
          "CREATE TABLE "
              + POSITION
              + " (sources VARCHAR, file VARCHAR, pos BIGINT, gtid VARCHAR, applied_at TIMESTAMP)");
      statement.execute(
          "CREATE TABLE "
              + TABLES
              + " (ordinal INTEGER, source_schema VARCHAR, source_table VARCHAR, target_table"
              + " VARCHAR, floor_file VARCHAR, floor_pos BIGINT, reload BOOLEAN)");
    }
    try (PreparedStatement insert =
        duck.prepareStatement(
            "INSERT INTO " + POSITION + " VALUES (?, ?, ?, ?, current_timestamp)")) {
      insert.setString(1, sources);
      insert.setString(2, position.file());
      insert.setLong(3, position.position());
      insert.setString(4, position.gtid());
      insert.execute();
    }
    try (PreparedStatement insert =
        duck.prepareStatement("INSERT INTO " + TABLES + " VALUES (?, ?, ?, ?, ?, ?, false)")) {
      int ordinal = 0;
      for (LoadTable table : tables) {
        insert.setInt(1, ++ordinal);
        insert.setString(2, table.info().name().schema());
        insert.setString(3, table.info().name().table());
        insert.setString(4, table.targetTable());
        insert.setString(5, position.file());
        insert.setLong(6, position.position());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /**
   * Records a reloaded table's new floor and clears its reload mark: called inside the publish
   * transaction of the reload.
   */
  static void recordReload(Connection duck, TableName source, BinlogPosition floor)
      throws SQLException {
    try (PreparedStatement update =
        duck.prepareStatement(
            "UPDATE "
                + TABLES
                + " SET floor_file = ?, floor_pos = ?, reload = false WHERE source_schema = ? AND"
                + " source_table = ?")) {
      update.setString(1, floor.file());
      update.setLong(2, floor.position());
      update.setString(3, source.schema());
      update.setString(4, source.table());
      if (update.executeUpdate() != 1) {
        throw new SQLException("no follow state for " + source);
      }
    }
  }

  /** Forgets the follow state (a load without --follow replaces the tables). */
  static void forget(Connection duck) throws SQLException {
    try (Statement statement = duck.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }
  }

  /**
   * (Re)creates the batch table of each followed table, with its current column types: a TEMP table
   * of this connection (in memory, never written to the file or its log; the rows only pass
   * through), created again after the file was {@link #release released}.
   */
  public void prepare(Collection<FollowTable> tables) {
    tables.forEach(t -> shapes.put(t.targetTable(), t));
    batchTables.clear();
    inTransaction(
        () -> {
          try (Statement statement = connection.createStatement()) {
            for (FollowTable table : tables) {
              // persistent batch tables of earlier versions: their rows only cost the log
              statement.execute("DROP TABLE IF EXISTS " + SCHEMA + "." + quote(batchName(table)));
              createBatchTable(statement, table);
            }
          }
        },
        "cannot prepare the follow batch tables in ");
  }

  private void createBatchTable(Statement statement, FollowTable table) throws SQLException {
    String columns =
        IntStream.range(0, table.columns().size())
            .mapToObj(i -> "c" + i + " " + table.columns().get(i).duckDbType())
            .collect(Collectors.joining(", "));
    statement.execute(
        "CREATE OR REPLACE TEMP TABLE "
            + quote(tempName(table))
            + " ("
            + columns
            + ", "
            + DELETE_FLAG
            + " BOOLEAN)");
    batchTables.add(table.targetTable());
  }

  private static String batchName(FollowTable table) {
    return "batch_" + table.targetTable();
  }

  /** The batch table's name in the temp catalog's {@code main} schema. */
  private static String tempName(FollowTable table) {
    return "_dray_batch_" + table.targetTable();
  }

  /**
   * Applies one batch and moves the position to {@code reached}, in one transaction. Also marks
   * {@code reload} tables for a reload in the same transaction (a schema change ends the batch).
   */
  public void apply(
      Map<FollowTable, Collection<ImageRow>> rows, BinlogPosition reached, Set<TableName> reload) {
    long started = System.nanoTime();
    inTransaction(
        () -> {
          try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1"); // opens the transaction before the appender writes
            for (Map.Entry<FollowTable, Collection<ImageRow>> entry : rows.entrySet()) {
              if (!entry.getValue().isEmpty()) {
                applyTable(statement, entry.getKey(), entry.getValue());
              }
            }
          }
          try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE "
                      + POSITION
                      + " SET file = ?, pos = ?, gtid = ?, applied_at = current_timestamp")) {
            update.setString(1, reached.file());
            update.setLong(2, reached.position());
            update.setString(3, reached.gtid());
            update.execute();
          }
          for (TableName table : reload) {
            try (PreparedStatement mark =
                connection.prepareStatement(
                    "UPDATE "
                        + TABLES
                        + " SET reload = true WHERE source_schema = ? AND source_table = ?")) {
              mark.setString(1, table.schema());
              mark.setString(2, table.table());
              mark.execute();
            }
          }
        },
        "cannot apply changes to ");
    LOG.debug("batch applied to {} in {} ms", reached, (System.nanoTime() - started) / 1_000_000);
  }

  private void applyTable(Statement statement, FollowTable table, Collection<ImageRow> rows)
      throws SQLException {
    if (!table.equals(shapes.get(table.targetTable()))
        || !batchTables.contains(table.targetTable())) {
      shapes.put(table.targetTable(), table);
      createBatchTable(statement, table);
    }
    long started = System.nanoTime();
    List<DuckDbColumn> columns = table.columns();
    List<ImageCell> cells = new ArrayList<>();
    for (DuckDbColumn column : columns) {
      cells.add(ImageCell.of(column, table.source().toString()));
    }
    List<String> types = new ArrayList<>(columns.stream().map(DuckDbColumn::duckDbType).toList());
    types.add("BOOLEAN");
    RowSink appender = DriverAccess.shared().openSink(connection, "main", tempName(table), types);
    try {
      for (ImageRow row : rows) {
        List<Object> image = row.image();
        for (int i = 0; i < cells.size(); i++) {
          cells.get(i).append(image.get(i), appender);
        }
        appender.append(row.delete());
        appender.endRow();
      }
    } catch (SQLException | RuntimeException e) {
      appender.abandon();
      throw e;
    }
    appender.close();
    long appended = System.nanoTime();
    String target = "main." + quote(table.targetTable());
    String batch = quote(tempName(table));
    List<Integer> keys = table.keyIndexes();
    String keyColumns =
        keys.stream().map(i -> quote(columns.get(i).source().name())).collect(joining(", "));
    String batchKeys = keys.stream().map(i -> "c" + i).collect(joining(", "));
    // a semi join on the key: DuckDB filters the table's scan by the batch's keys
    statement.execute(
        "DELETE FROM "
            + target
            + " WHERE "
            + (keys.size() == 1 ? keyColumns : "(" + keyColumns + ")")
            + " IN (SELECT "
            + (keys.size() == 1 ? batchKeys : "(" + batchKeys + ")")
            + " FROM "
            + batch
            + ")");
    long deleted = System.nanoTime();
    statement.execute(
        "INSERT INTO "
            + target
            + " SELECT "
            + IntStream.range(0, columns.size()).mapToObj(i -> "c" + i).collect(joining(", "))
            + " FROM "
            + batch
            + " WHERE NOT "
            + DELETE_FLAG);
    long inserted = System.nanoTime();
    statement.execute("TRUNCATE " + batch);
    LOG.debug(
        "{}: {} rows appended in {} ms, delete {} ms, insert {} ms",
        table.targetTable(),
        rows.size(),
        (appended - started) / 1_000_000,
        (deleted - appended) / 1_000_000,
        (inserted - deleted) / 1_000_000);
  }

  private boolean exists(String table) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND"
                + " table_name = ?")) {
      statement.setString(1, SCHEMA);
      statement.setString(2, table);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }

  @FunctionalInterface
  private interface Work {
    void run() throws SQLException;
  }

  private void inTransaction(Work work, String context) {
    try {
      connection.setAutoCommit(false);
      try {
        work.run();
        long committing = System.nanoTime();
        connection.commit();
        LOG.debug("commit {} ms", (System.nanoTime() - committing) / 1_000_000);
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(context, e);
    }
  }

  private DrayException failure(String context, SQLException e) {
    return new DrayException(
        ErrorCode.TARGET_UNAVAILABLE, context + file + ": " + firstLine(e.getMessage()), e);
  }

  @Override
  public void close() {
    release();
  }
}
