package dev.dray.load;

import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.plan.Planner;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBConnection;

/**
 * A load driven step by step, as {@link LoadJob} would run it: the target prepared with its plan,
 * then chosen tasks run and committed; closing it leaves the file as an interrupted load does.
 */
record StagedLoad(
    DuckDbTarget target, Connection source, Dialect dialect, LoadTable table, List<Task> tasks)
    implements AutoCloseable {

  /** Prepares {@code file} to load the table {@code name} of {@code db} in tasks of chunkRows. */
  static StagedLoad start(TestDatabase db, String name, Path file, long chunkRows)
      throws SQLException {
    Connection source = Connections.open(LoadJob.withBinaryProtocol(db.config()));
    Dialect dialect = Dialects.detect(source);
    dialect.useUtcSessionTimeZone(source);
    TableInfo info = new TableInspector(source).inspect(db.table(name));
    List<DuckDbColumn> columns =
        info.columns().stream().map(c -> DuckDbColumn.of(c, name)).toList();
    LoadTable table =
        new LoadTable(info, name, columns, info.key().stream().map(c -> c.name()).toList());
    List<Task> tasks = new Planner(source, dialect, chunkRows).plan(List.of(info));
    DuckDbTarget target = DuckDbTarget.open(file);
    try (DuckDBConnection duck = target.newConnection();
        Statement statement = duck.createStatement()) {
      // no automatic checkpoint at commit: the log keeps every transaction for a crash to replay
      statement.execute("SET checkpoint_threshold = '1TB'");
    }
    target.startFresh(info.name().toQualifiedText() + " -> " + name, List.of(table), tasks);
    return new StagedLoad(target, source, dialect, table, tasks);
  }

  void runTasks(List<Task> some) throws Exception {
    try (DuckDBConnection duck = target.newConnection()) {
      LoadWorker worker =
          new LoadWorker(
              0,
              source,
              dialect,
              duck,
              Map.of(table.info().name().toString(), table),
              new Cancellation(),
              new AtomicLong(),
              new ConcurrentHashMap<>());
      for (Task task : some) {
        worker.process(task);
      }
    }
  }

  /** Makes closing the target leave DuckDB's write-ahead log as it is, as a kill -9 would. */
  void crashOnClose() throws SQLException {
    try (DuckDBConnection duck = target.newConnection();
        Statement statement = duck.createStatement()) {
      statement.execute("PRAGMA disable_checkpoint_on_shutdown");
    }
  }

  @Override
  public void close() throws SQLException {
    target.close();
    source.close();
  }
}
