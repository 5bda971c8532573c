package dev.dray.load;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.db.TableName;
import dev.dray.plan.Planner;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import dev.dray.run.ListTaskSource;
import dev.dray.run.RetryPolicy;
import dev.dray.run.Sleeper;
import dev.dray.run.TaskListener;
import dev.dray.run.WorkerPool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads MySQL/MariaDB tables into a DuckDB file in parallel. Each partition (or key range of a big
 * one) is a task; a pool of workers, each with its own connection reading the same snapshot, claims
 * tasks atomically and appends rows into staging tables that are published atomically when every
 * task succeeded. The first task that fails for good stops everything and drops staging.
 *
 * <pre>{@code
 * LoadResult result = LoadJob.builder()
 *     .source(ConnectionConfig.of("jdbc:mariadb://127.0.0.1:3306/shop?user=root"))
 *     .table(TableName.parse("shop.orders"))
 *     .target(Path.of("shop.duckdb"))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class LoadJob {
  private static final Logger LOG = LoggerFactory.getLogger(LoadJob.class);

  /** Tasks bigger than this many rows are split into key ranges. */
  public static final long DEFAULT_CHUNK_ROWS = 1_000_000;

  private final LoadSettings settings;

  private LoadJob(LoadSettings settings) {
    this.settings = settings;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The default worker count: {@code max(2, round(0.8 × cores))}. */
  public static int defaultWorkers() {
    return Math.max(2, Math.round(0.8f * Runtime.getRuntime().availableProcessors()));
  }

  public LoadSettings settings() {
    return settings;
  }

  /** Runs the load; throws {@link DrayException} on failure, leaving existing targets intact. */
  public LoadResult run() {
    return run(new Cancellation(), LoadListener.NONE);
  }

  public LoadResult run(Cancellation cancellation, LoadListener listener) {
    long started = System.nanoTime();
    try (Connection coordinator = Connections.open(settings.source())) {
      Dialect dialect = Dialects.detect(coordinator);
      Map<String, LoadTable> tables = describeTables(coordinator);
      List<TableInfo> infos = tables.values().stream().map(LoadTable::info).toList();
      List<Task> tasks = new Planner(coordinator, dialect, settings.chunkRows()).plan(infos);
      int workers = Math.max(1, Math.min(settings.workers(), tasks.size()));
      int partitions = infos.stream().mapToInt(t -> t.partitions().size()).sum();
      listener.planned(tasks, workers);
      List<String> targetTables = tables.values().stream().map(LoadTable::targetTable).toList();

      try (DuckDbTarget target = DuckDbTarget.open(settings.target())) {
        for (LoadTable table : tables.values()) {
          target.createStaging(table.targetTable(), table.columns());
        }
        AtomicLong rowsLoaded = new AtomicLong();
        Map<Long, Long> taskRows = new ConcurrentHashMap<>();
        List<LoadWorker> snapshotWorkers =
            openSnapshotWorkers(
                coordinator, dialect, target, tables, workers, cancellation, rowsLoaded, taskRows);
        List<TaskReport> reports = java.util.Collections.synchronizedList(new ArrayList<>());
        listener.started(rowsLoaded);
        try {
          new WorkerPool<Task>("load", workers, RetryPolicy.NONE, Sleeper.SYSTEM, Task::describe)
              .run(
                  new ListTaskSource<>(tasks),
                  (index, c) -> snapshotWorkers.get(index),
                  cancellation,
                  new TaskListener<>() {
                    @Override
                    public void finished(Task task, int workerIndex, int attempts, long nanos) {
                      long rows = taskRows.getOrDefault(task.sequence(), 0L);
                      TaskReport report =
                          new TaskReport(
                              task.sequence(),
                              task.table().toString(),
                              task.partition() == null ? null : task.partition().label(),
                              task.range().isAll() ? null : task.range().toString(),
                              workerIndex,
                              rows,
                              nanos / 1e9,
                              attempts - 1);
                      reports.add(report);
                      listener.taskFinished(report);
                    }
                  });
        } catch (RuntimeException e) {
          snapshotWorkers.forEach(LoadJob::closeQuietly);
          target.dropStaging(targetTables);
          throw e;
        }
        target.publish(targetTables);
        long rows = reports.stream().mapToLong(TaskReport::rows).sum();
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.debug(
            "loaded {} rows in {} tasks with {} workers in {} s",
            rows,
            tasks.size(),
            workers,
            seconds);
        return new LoadResult(
            settings.target(),
            targetTables,
            rows,
            tasks.size(),
            0,
            partitions,
            workers,
            seconds,
            0,
            reports);
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "load failed: " + SqlErrors.describe(e), e);
    }
  }

  /** Plans without touching the target: what {@code --dry-run} prints. */
  public List<Task> plan() {
    try (Connection coordinator = Connections.open(settings.source())) {
      Dialect dialect = Dialects.detect(coordinator);
      Map<String, LoadTable> tables = describeTables(coordinator);
      return new Planner(coordinator, dialect, settings.chunkRows())
          .plan(tables.values().stream().map(LoadTable::info).toList());
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "planning failed: " + SqlErrors.describe(e), e);
    }
  }

  private Map<String, LoadTable> describeTables(Connection coordinator) {
    TableInspector inspector = new TableInspector(coordinator);
    Map<String, LoadTable> tables = new LinkedHashMap<>();
    for (TableName name : settings.tables()) {
      TableInfo info = inspector.inspect(name);
      if (!info.hasKey()) {
        LOG.warn(
            "{} has no primary key or unique NOT NULL key: loading it as one task per partition",
            name);
      }
      List<DuckDbColumn> columns =
          info.columns().stream().map(c -> DuckDbColumn.of(c, name.toString())).toList();
      String targetTable = settings.targetTable() != null ? settings.targetTable() : name.table();
      tables.put(
          name.toString(),
          new LoadTable(
              info, targetTable, columns, info.key().stream().map(ColumnInfo::name).toList()));
    }
    return tables;
  }

  /**
   * Opens every worker's source connection on one point in time: a brief read lock on the tables, a
   * consistent snapshot per worker, then the lock is released. Writes wait only for that moment.
   */
  private List<LoadWorker> openSnapshotWorkers(
      Connection coordinator,
      Dialect dialect,
      DuckDbTarget target,
      Map<String, LoadTable> tables,
      int workers,
      Cancellation cancellation,
      AtomicLong rowsLoaded,
      Map<Long, Long> taskRows)
      throws SQLException {
    List<Connection> sources = new ArrayList<>();
    List<LoadWorker> result = new ArrayList<>();
    boolean locked = false;
    try {
      for (int i = 0; i < workers; i++) {
        sources.add(Connections.open(settings.source()));
      }
      dialect.lockTablesForRead(coordinator, settings.tables());
      locked = true;
      for (Connection source : sources) {
        dialect.beginConsistentSnapshot(source);
      }
      dialect.unlockTables(coordinator);
      locked = false;
      for (Connection source : sources) {
        DuckDBConnection duck = target.newConnection();
        result.add(
            new LoadWorker(source, dialect, duck, tables, cancellation, rowsLoaded, taskRows));
      }
      return result;
    } catch (SQLException | RuntimeException e) {
      if (locked) {
        dialect.unlockTables(coordinator);
      }
      sources.forEach(LoadJob::closeQuietly);
      if (e instanceof SQLException sql) {
        ErrorCode code =
            SqlErrors.isAccessDenied(sql) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED;
        throw new DrayException(
            code,
            "cannot open a consistent snapshot of "
                + settings.tables()
                + ": "
                + SqlErrors.describe(sql),
            sql);
      }
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing after a failure: the failure is what matters
    }
  }

  /** Builds a {@link LoadJob}; {@link #build()} validates the settings. */
  public static final class Builder {
    private ConnectionConfig source;
    private final List<TableName> tables = new ArrayList<>();
    private Path target;
    private String targetTable;
    private int workers = defaultWorkers();
    private long chunkRows = DEFAULT_CHUNK_ROWS;
    private boolean resume;

    private Builder() {}

    public Builder source(ConnectionConfig source) {
      this.source = requireNonNull(source, "source is null");
      return this;
    }

    public Builder table(TableName table) {
      tables.add(requireNonNull(table, "table is null"));
      return this;
    }

    public Builder target(Path target) {
      this.target = requireNonNull(target, "target is null");
      return this;
    }

    public Builder targetTable(String targetTable) {
      this.targetTable = targetTable;
      return this;
    }

    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    public Builder chunkRows(long chunkRows) {
      this.chunkRows = chunkRows;
      return this;
    }

    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    public LoadJob build() {
      return new LoadJob(
          new LoadSettings(source, tables, target, targetTable, workers, chunkRows, resume));
    }
  }
}
