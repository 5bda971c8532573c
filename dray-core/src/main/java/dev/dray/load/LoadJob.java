package dev.dray.load;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.change.BinlogPreconditions;
import dev.dray.db.BinlogPosition;
import dev.dray.db.ColumnInfo;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.db.TableName;
import dev.dray.load.follow.FollowResult;
import dev.dray.load.follow.FollowSettings;
import dev.dray.load.follow.Follower;
import dev.dray.plan.Planner;
import dev.dray.plan.Task;
import dev.dray.report.JobTimeline;
import dev.dray.run.Cancellation;
import dev.dray.run.JobLock;
import dev.dray.run.ListTaskSource;
import dev.dray.run.RetryPolicy;
import dev.dray.run.Sleeper;
import dev.dray.run.TaskListener;
import dev.dray.run.ThrottleCondition;
import dev.dray.run.ThrottledWorker;
import dev.dray.run.Throttler;
import dev.dray.run.WorkerPool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
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
  private final JobTimeline timeline;
  private final List<ThrottleCondition> throttleConditions;

  private LoadJob(
      LoadSettings settings, JobTimeline timeline, List<ThrottleCondition> throttleConditions) {
    this.settings = settings;
    this.timeline = timeline;
    this.throttleConditions = List.copyOf(throttleConditions);
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

  /**
   * Runs the load, reporting progress to {@code listener}; {@code cancellation} stops it from
   * outside (the staging tables are then dropped as after a failure).
   */
  public LoadResult run(Cancellation cancellation, LoadListener listener) {
    try (JobLock lock = takeLock(cancellation)) {
      return runLocked(cancellation, listener);
    }
  }

  /** The lock key of a load into {@code file}: one run per DuckDB file at a time. */
  static String lockKey(Path file) {
    return "dray:load:" + file.toAbsolutePath().normalize();
  }

  /**
   * One load per DuckDB file: a second run refuses while the first is alive, names the session
   * holding the lock, and takes over as soon as that process is gone (the source server ends the
   * lock with the session). Two loads from different servers into one file are still stopped by
   * DuckDB's own file lock.
   */
  private JobLock takeLock(Cancellation cancellation) {
    return JobLock.acquire(
        settings.source(),
        lockKey(settings.target()),
        "load into " + settings.target(),
        "wait for it to finish, or stop it and run this load again with --resume",
        JobLock.DEFAULT_HEARTBEAT,
        cancellation::cancel);
  }

  private LoadResult runLocked(Cancellation cancellation, LoadListener listener) {
    if (settings.follow() == null) {
      return load(cancellation, listener, Mode.PLAIN, null);
    }
    LoadResult loaded = resumableFollow(listener);
    if (loaded == null) {
      loaded = load(cancellation, listener, Mode.FOLLOW_START, null);
    }
    List<FollowTable> followed = followTables();
    FollowResult follow =
        new Follower(
                settings.source(),
                settings.target(),
                followed,
                settings.follow(),
                cancellation,
                listener,
                table -> reload(table, followed, cancellation, listener))
            .run();
    return loaded.withFollow(follow);
  }

  /** What a load publishes along with the tables. */
  private enum Mode {
    /** A plain load: a follow state in the file no longer describes the tables, so it goes. */
    PLAIN,
    /** The first load of a follow: the snapshot's position becomes the follow position. */
    FOLLOW_START,
    /** A followed table reloaded after a schema change: its snapshot's position is its floor. */
    RELOAD
  }

  /**
   * On {@code --follow --resume}, a result standing for "nothing loaded" when the file holds a
   * followed load of the same tables (follow continues from its stored position); null when there
   * is none and the tables must be loaded first.
   */
  private LoadResult resumableFollow(LoadListener listener) {
    if (!settings.resume() || !java.nio.file.Files.exists(settings.target())) {
      return null;
    }
    DuckDbTarget.preloadNativeLibrary();
    Optional<FollowTarget.State> state;
    try (FollowTarget target = FollowTarget.open(settings.target())) {
      state = target.state();
    }
    List<String> warnings = new ArrayList<>();
    if (state.isEmpty()) {
      warn(
          warnings,
          "nothing to resume following in "
              + settings.target()
              + ": loading "
              + settings.tables()
              + " first (an interrupted load is loaded afresh: follow needs one point in time)");
      return null;
    }
    Map<String, LoadTable> tables;
    try (Connection coordinator = openSource()) {
      tables = describeTables(coordinator, warnings);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "cannot read the source: " + SqlErrors.describe(e), e);
    }
    String sources = sourcesLabel(List.copyOf(tables.values()));
    if (!state.get().sources().equals(sources)) {
      throw DrayException.usage(
          "the followed load in "
              + settings.target()
              + " is of "
              + state.get().sources()
              + ", not "
              + sources
              + ": resume it with the same tables, or run without --resume to load afresh");
    }
    LOG.info("resuming the follow of {} from {}", settings.tables(), state.get().position());
    return new LoadResult(
        settings.target(),
        tables.values().stream().map(LoadTable::targetTable).toList(),
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        false,
        warnings,
        List.of(),
        null,
        null);
  }

  /**
   * The job's tables as the source has them now, as follow applies changes to them: their DuckDB
   * columns and the key changes are matched by.
   */
  public List<FollowTable> followTables() {
    try (Connection coordinator = openSource()) {
      return describeTables(coordinator, new ArrayList<>()).values().stream()
          .map(FollowTable::of)
          .toList();
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "cannot read the source: " + SqlErrors.describe(e), e);
    }
  }

  /** Reloads one followed table into its DuckDB table, with its snapshot position as its floor. */
  private FollowTable reload(
      TableName table,
      List<FollowTable> followed,
      Cancellation cancellation,
      LoadListener listener) {
    String targetTable =
        followed.stream()
            .filter(t -> t.source().equals(table))
            .map(FollowTable::targetTable)
            .findFirst()
            .orElse(table.table());
    LoadJob job =
        new LoadJob(
            new LoadSettings(
                settings.source(),
                List.of(table),
                settings.target(),
                targetTable,
                settings.workers(),
                settings.chunkRows(),
                false,
                settings.follow()),
            null,
            List.of());
    job.load(cancellation, listener, Mode.RELOAD, table);
    return job.followTables().get(0);
  }

  private LoadResult load(
      Cancellation cancellation, LoadListener listener, Mode mode, TableName reloaded) {
    long started = System.nanoTime();
    DuckDbTarget.preloadNativeLibrary();
    try (Connection coordinator = openSource()) {
      Dialect dialect = Dialects.detect(coordinator);
      List<String> warnings = new ArrayList<>();
      Map<String, LoadTable> tables = describeTables(coordinator, warnings);
      if (mode != Mode.PLAIN) {
        refuseUnfollowable(coordinator, dialect, tables.values());
      }
      AtomicReference<BinlogPosition> snapshotPosition = new AtomicReference<>();
      List<LoadTable> loadTables = List.copyOf(tables.values());
      int partitions = loadTables.stream().mapToInt(t -> t.info().partitions().size()).sum();
      try (DuckDbTarget target = DuckDbTarget.open(settings.target())) {
        Prepared prepared =
            prepare(coordinator, dialect, target, loadTables, warnings, mode != Mode.PLAIN);
        LOG.debug(
            "planned and prepared the target in {} ms", (System.nanoTime() - started) / 1_000_000);
        List<Task> remaining =
            prepared.tasks().stream()
                .filter(t -> !prepared.done().containsKey(t.sequence()))
                .toList();
        boolean mixesPointsInTime = !prepared.done().isEmpty() && !remaining.isEmpty();
        if (mixesPointsInTime) {
          warn(
              warnings,
              "resuming: "
                  + prepared.done().size()
                  + " of "
                  + prepared.tasks().size()
                  + " tasks were loaded by the interrupted run from its snapshot, the other "
                  + remaining.size()
                  + " read a new one: rows written to the source in between show in some tasks"
                  + " and not in others (run without --resume for one point in time)");
        }
        int workers = Math.max(1, Math.min(settings.workers(), remaining.size()));
        listener.planned(remaining, workers, prepared.done().size());
        AtomicLong rowsLoaded = new AtomicLong();
        Map<Long, LoadWorker.Outcome> outcomes = new ConcurrentHashMap<>();
        Map<Long, TaskReport> reports = new ConcurrentHashMap<>(prepared.done());
        if (!remaining.isEmpty()) {
          runTasks(
              coordinator,
              dialect,
              target,
              tables,
              remaining,
              workers,
              cancellation,
              listener,
              rowsLoaded,
              outcomes,
              reports,
              snapshotPosition,
              mode != Mode.PLAIN);
        }
        BinlogPosition position = snapshotPosition.get();
        if (mode != Mode.PLAIN && position == null) {
          throw new DrayException(
              ErrorCode.INTERNAL, "no snapshot position was recorded for " + settings.tables());
        }
        long publishing = System.nanoTime();
        listener.publishing();
        String sources = sourcesLabel(loadTables);
        target.publish(
            loadTables,
            duck -> {
              switch (mode) {
                case PLAIN -> FollowTarget.forget(duck);
                case FOLLOW_START ->
                    FollowTarget.recordFollowStart(duck, sources, loadTables, position);
                case RELOAD -> FollowTarget.recordReload(duck, reloaded, position);
              }
            });
        LOG.debug(
            "tasks done after {} ms; published in {} ms",
            (publishing - started) / 1_000_000,
            (System.nanoTime() - publishing) / 1_000_000);
        List<TaskReport> ordered =
            reports.values().stream()
                .sorted(Comparator.comparingLong(TaskReport::sequence))
                .toList();
        long rows = ordered.stream().mapToLong(TaskReport::rows).sum();
        long rowsThisRun = outcomes.values().stream().mapToLong(LoadWorker.Outcome::rows).sum();
        long zeroDates = ordered.stream().mapToLong(TaskReport::zeroDates).sum();
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.debug(
            "loaded {} rows in {} tasks with {} workers in {} s",
            rowsThisRun,
            remaining.size(),
            workers,
            seconds);
        return new LoadResult(
            settings.target(),
            loadTables.stream().map(LoadTable::targetTable).toList(),
            rows,
            rowsThisRun,
            prepared.tasks().size(),
            prepared.done().size(),
            partitions,
            workers,
            seconds,
            zeroDates,
            mixesPointsInTime,
            warnings,
            ordered,
            position,
            null);
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "load failed: " + SqlErrors.describe(e), e);
    }
  }

  /** The plan to run and the tasks an interrupted run already finished (resume). */
  private record Prepared(List<Task> tasks, Map<Long, TaskReport> done) {}

  private Prepared prepare(
      Connection coordinator,
      Dialect dialect,
      DuckDbTarget target,
      List<LoadTable> tables,
      List<String> warnings,
      boolean follow) {
    String sources = sourcesLabel(tables);
    Optional<DuckDbTarget.StoredJob> stored = target.storedJob();
    // a follow starts from one snapshot's position: tasks of an interrupted load read another
    boolean resume = settings.resume() && !follow;
    if (resume && stored.isPresent()) {
      DuckDbTarget.StoredJob job = stored.get();
      if (!job.sources().equals(sources)) {
        throw DrayException.usage(
            "the interrupted load in "
                + settings.target()
                + " was of "
                + job.sources()
                + ", not "
                + sources
                + ": resume it with the same tables, or run without --resume to start anew");
      }
      for (LoadTable table : tables) {
        refuseChangedShape(table, target.stagedColumns(table.targetTable()));
      }
      LOG.info(
          "resuming the interrupted load in {}: {} of {} tasks already done",
          settings.target(),
          job.done().size(),
          job.tasks().size());
      return new Prepared(
          job.tasks().stream().map(DuckDbTarget.StoredTask::task).toList(), job.done());
    }
    if (resume) {
      warn(
          warnings,
          "nothing to resume in "
              + settings.target()
              + ": loading "
              + tableList(tables)
              + " from scratch");
    } else if (stored.isPresent()) {
      DuckDbTarget.StoredJob job = stored.get();
      warn(
          warnings,
          "discarding an unfinished load of "
              + job.tasks().stream()
                  .map(t -> t.task().table().toString())
                  .distinct()
                  .collect(Collectors.joining(", "))
              + " in "
              + settings.target()
              + " ("
              + job.done().size()
              + " of "
              + job.tasks().size()
              + " tasks done); use --resume to continue it");
    }
    List<Task> tasks =
        new Planner(coordinator, dialect, settings.chunkRows())
            .plan(tables.stream().map(LoadTable::info).toList());
    target.startFresh(sources, tables, tasks);
    return new Prepared(tasks, Map.of());
  }

  /**
   * Refuses to resume into a staging table made for other columns: the appender writes by position,
   * so a changed type or order would put values into the wrong columns (or crash the appender on a
   * wrong value width). Names, order and the source's full types must all match.
   */
  private void refuseChangedShape(LoadTable table, List<DuckDbTarget.StoredColumn> staged) {
    List<DuckDbColumn> now = table.columns();
    String change = null;
    for (int i = 0; i < Math.max(now.size(), staged.size()) && change == null; i++) {
      if (i >= staged.size()) {
        change = "column " + now.get(i).source().name() + " was added";
      } else if (i >= now.size()) {
        change = "column " + staged.get(i).name() + " was dropped";
      } else {
        DuckDbColumn column = now.get(i);
        DuckDbTarget.StoredColumn was = staged.get(i);
        if (!column.source().name().equals(was.name())) {
          change =
              "column "
                  + (i + 1)
                  + " is now "
                  + column.source().name()
                  + ", it was "
                  + was.name()
                  + " (columns were renamed, added, dropped or reordered)";
        } else if (was.sourceType() != null
            && !was.sourceType().equals(column.source().columnType())) {
          change =
              "column "
                  + was.name()
                  + " changed from "
                  + was.sourceType()
                  + " to "
                  + column.source().columnType();
        } else if (!was.duckDbType().equalsIgnoreCase(column.duckDbType())) {
          change =
              "column "
                  + was.name()
                  + " is staged as "
                  + was.duckDbType()
                  + " but now maps to "
                  + column.duckDbType();
        }
      }
    }
    if (change != null) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "cannot resume the load of "
              + table.info().name()
              + " into "
              + settings.target()
              + ": "
              + change
              + " since the interrupted load began; run without --resume to start over");
    }
  }

  private static void warn(List<String> warnings, String warning) {
    LOG.warn(warning);
    warnings.add(warning);
  }

  private static String tableList(List<LoadTable> tables) {
    return tables.stream().map(t -> t.info().name().toString()).collect(Collectors.joining(", "));
  }

  private static String sourcesLabel(List<LoadTable> tables) {
    return tables.stream()
        .map(t -> t.info().name().toQualifiedText() + " -> " + t.targetTable())
        .collect(Collectors.joining(", "));
  }

  private void runTasks(
      Connection coordinator,
      Dialect dialect,
      DuckDbTarget target,
      Map<String, LoadTable> tables,
      List<Task> tasks,
      int workers,
      Cancellation cancellation,
      LoadListener listener,
      AtomicLong rowsLoaded,
      Map<Long, LoadWorker.Outcome> outcomes,
      Map<Long, TaskReport> reports,
      AtomicReference<BinlogPosition> snapshotPosition,
      boolean positionRequired)
      throws SQLException {
    List<LoadWorker> snapshotWorkers;
    try {
      snapshotWorkers =
          openSnapshotWorkers(
              coordinator,
              dialect,
              target,
              tables,
              workers,
              cancellation,
              rowsLoaded,
              outcomes,
              snapshotPosition,
              positionRequired);
      if (snapshotPosition.get() != null) {
        listener.snapshotPosition(snapshotPosition.get());
      }
    } catch (RuntimeException e) {
      target.abandon(List.copyOf(tables.values()), e);
      throw e;
    }
    LOG.debug("{} workers hold the snapshot", workers);
    listener.started(rowsLoaded);
    if (timeline != null) {
      timeline.workers(workers);
      timeline.sampleRows(rowsLoaded::get);
      timeline.startSampling();
    }
    try (Throttler throttler = new Throttler(throttleConditions)) {
      if (timeline != null) {
        throttler.listener(timeline.throttleListener());
      }
      throttler.start();
      new WorkerPool<Task>("load", workers, RETRY_POLICY, Sleeper.SYSTEM, Task::describe)
          .run(
              new ListTaskSource<>(tasks),
              (index, c) ->
                  throttleConditions.isEmpty()
                      ? snapshotWorkers.get(index)
                      : new ThrottledWorker<>(snapshotWorkers.get(index), throttler, cancellation),
              cancellation,
              new TaskListener<Task>() {
                @Override
                public void finished(Task task, int workerIndex, int attempts, long nanos) {
                  LoadWorker.Outcome outcome = outcomes.get(task.sequence());
                  TaskReport report =
                      new TaskReport(
                          task.sequence(),
                          task.table().toString(),
                          task.partition() == null ? null : task.partition().label(),
                          task.range().isAll() ? null : task.range().toString(),
                          workerIndex,
                          outcome.rows(),
                          nanos / 1e9,
                          attempts - 1,
                          outcome.zeroDates());
                  reports.put(task.sequence(), report);
                  listener.taskFinished(report);
                }
              }.andThen(timelineListener(outcomes)));
    } catch (RuntimeException e) {
      snapshotWorkers.forEach(LoadJob::closeQuietly);
      target.abandon(List.copyOf(tables.values()), e);
      throw e;
    }
  }

  /** Feeds the timeline (if any): a task's rows come from its worker's outcome. */
  private TaskListener<Task> timelineListener(Map<Long, LoadWorker.Outcome> outcomes) {
    if (timeline == null) {
      return TaskListener.none();
    }
    return timeline.taskListener(
        Task::describe,
        task ->
            task.partition() == null
                ? task.table().toString()
                : task.table() + " " + task.partition().label(),
        task -> {
          LoadWorker.Outcome outcome = outcomes.get(task.sequence());
          return outcome == null ? 0 : outcome.rows();
        });
  }

  /**
   * Which failures a task may retry without breaking the one point in time: a lock wait timeout
   * rolls back only the statement, so the worker's snapshot survives; a DuckDB write conflict rolls
   * back only the task's DuckDB transaction. A lost source connection is not retried: a new
   * connection cannot rejoin the job's snapshot.
   */
  static boolean isSafeToRetry(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        if (sql.getErrorCode() == SqlErrors.ER_LOCK_WAIT_TIMEOUT) {
          return true;
        }
        String message = sql.getMessage();
        if (message != null
            && message.contains("TransactionContext Error")
            && message.contains("onflict")) {
          return true;
        }
      }
    }
    return false;
  }

  static final RetryPolicy RETRY_POLICY =
      new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2), LoadJob::isSafeToRetry);

  /**
   * Refuses, before anything is loaded, what follow cannot keep current: a binary log that is off,
   * not ROW or without full row images, missing replication grants, a table without a key, a column
   * type the log does not carry exactly.
   */
  private static void refuseUnfollowable(
      Connection coordinator, Dialect dialect, Collection<LoadTable> tables) {
    BinlogPreconditions.check(coordinator, dialect);
    for (LoadTable table : tables) {
      if (!table.info().hasKey()) {
        throw new DrayException(
            ErrorCode.UNSUPPORTED_SCHEMA,
            "cannot follow "
                + table.info().name()
                + ": it has no primary key or unique key over NOT NULL columns, so its changes"
                + " cannot be applied by key; add a primary key, or load it without --follow");
      }
      for (DuckDbColumn column : table.columns()) {
        ImageCell.of(column, table.info().name().toString());
      }
    }
  }

  /** Plans without touching the target: what {@code --dry-run} prints. */
  public List<Task> plan() {
    try (Connection coordinator = openSource()) {
      Dialect dialect = Dialects.detect(coordinator);
      Map<String, LoadTable> tables = describeTables(coordinator, new ArrayList<>());
      return new Planner(coordinator, dialect, settings.chunkRows())
          .plan(tables.values().stream().map(LoadTable::info).toList());
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "planning failed: " + SqlErrors.describe(e), e);
    }
  }

  /**
   * A source connection that reads TIMESTAMP values in UTC, over the binary protocol (server-side
   * prepared statements) unless the URL says otherwise: binary rows decode with less CPU (numbers
   * and dates arrive as binary values, not text to parse), and CPU is what a load runs short of.
   */
  private Connection openSource() throws SQLException {
    Connection connection = Connections.open(withBinaryProtocol(settings.source()));
    try {
      Dialects.detect(connection).useUtcSessionTimeZone(connection);
      return connection;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  static ConnectionConfig withBinaryProtocol(ConnectionConfig source) {
    String url = source.url();
    if (!url.startsWith("jdbc:mariadb:") && !url.startsWith("jdbc:mysql:")
        || url.contains("useServerPrepStmts")) {
      return source;
    }
    return source.withUrl(url + (url.contains("?") ? "&" : "?") + "useServerPrepStmts=true");
  }

  private Map<String, LoadTable> describeTables(Connection coordinator, List<String> warnings) {
    TableInspector inspector = new TableInspector(coordinator);
    Map<String, LoadTable> tables = new LinkedHashMap<>();
    for (TableName name : settings.tables()) {
      if (inspector.isView(name)) {
        throw new DrayException(
            ErrorCode.UNSUPPORTED_SCHEMA,
            name
                + " is a view, not a table: load reads base tables by partition and key range;"
                + " load the tables it reads (SHOW CREATE VIEW "
                + name
                + " names them), or store its rows in a table first");
      }
      TableInfo info = inspector.inspect(name);
      if (!info.hasKey()) {
        String warning =
            name
                + " has no primary key or unique NOT NULL key: loading it as one task per partition"
                + (info.isPartitioned() ? "" : " (one task: the table is not partitioned)");
        LOG.warn(warning);
        warnings.add(warning);
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
      Map<Long, LoadWorker.Outcome> outcomes,
      AtomicReference<BinlogPosition> snapshotPosition,
      boolean positionRequired)
      throws SQLException {
    List<Connection> sources = new ArrayList<>();
    List<LoadWorker> result = new ArrayList<>();
    boolean locked = false;
    try {
      for (int i = 0; i < workers; i++) {
        sources.add(openSource());
      }
      dialect.lockTablesForRead(coordinator, settings.tables());
      locked = true;
      for (Connection source : sources) {
        dialect.beginConsistentSnapshot(source);
      }
      // inside the lock: no transaction on these tables commits between the snapshots and this
      // position, so follow applies exactly the changes the snapshots do not hold (and a plain
      // load's report names the point in time it holds, as mydumper's metadata does)
      snapshotPosition.set(
          positionRequired
              ? BinlogPreconditions.currentPosition(coordinator, dialect)
              : positionIfLogged(coordinator, dialect));
      dialect.unlockTables(coordinator);
      locked = false;
      for (int i = 0; i < workers; i++) {
        DuckDBConnection duck = target.newConnection();
        result.add(
            new LoadWorker(
                i, sources.get(i), dialect, duck, tables, cancellation, rowsLoaded, outcomes));
      }
      return result;
    } catch (SQLException | RuntimeException e) {
      if (locked) {
        try {
          dialect.unlockTables(coordinator);
        } catch (SQLException unlockFailure) {
          e.addSuppressed(unlockFailure);
        }
      }
      sources.forEach(LoadJob::closeQuietly);
      result.forEach(LoadJob::closeQuietly);
      if (e instanceof SQLException sql) {
        boolean denied = SqlErrors.isAccessDenied(sql);
        throw new DrayException(
            denied ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
            "cannot open a consistent snapshot of "
                + settings.tables()
                + (denied ? " (dray needs the SELECT and LOCK TABLES privileges)" : "")
                + ": "
                + SqlErrors.describe(sql),
            sql);
      }
      throw e;
    }
  }

  /**
   * The binary log position of a plain load's snapshot, or null when the binary log is off or this
   * user may not read it (the load does not need it).
   */
  private static BinlogPosition positionIfLogged(Connection coordinator, Dialect dialect) {
    try {
      return dialect.currentBinlogPosition(coordinator).orElse(null);
    } catch (SQLException e) {
      LOG.debug("no snapshot position in the report: {}", SqlErrors.describe(e));
      return null;
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
    private JobTimeline timeline;
    private FollowSettings follow;
    private final List<ThrottleCondition> throttleConditions = new ArrayList<>();

    private Builder() {}

    /**
     * A reason to pause the workers (checked before each task) or, when {@link
     * ThrottleCondition#critical() critical}, to stop the load. The job closes it when it ends.
     */
    public Builder throttleCondition(ThrottleCondition condition) {
      throttleConditions.add(requireNonNull(condition, "condition is null"));
      return this;
    }

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

    /** Records the run's tasks and rows over time (for an HTML report or live status). */
    public Builder timeline(JobTimeline timeline) {
      this.timeline = timeline;
      return this;
    }

    /**
     * After the load, keep the tables current from the source's binary log until the job's
     * cancellation fires or {@link FollowSettings#followFor} ends; with {@link #resume}, continue
     * following from the position stored in the file without loading again.
     */
    public Builder follow(FollowSettings follow) {
      this.follow = follow;
      return this;
    }

    public LoadJob build() {
      LoadSettings settings =
          new LoadSettings(source, tables, target, targetTable, workers, chunkRows, resume, follow);
      if (timeline != null) {
        timeline.settings(settings);
      }
      return new LoadJob(settings, timeline, throttleConditions);
    }
  }
}
