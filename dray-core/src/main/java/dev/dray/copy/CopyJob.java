package dev.dray.copy;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.db.TableName;
import dev.dray.plan.Task;
import dev.dray.report.JobTimeline;
import dev.dray.run.BoundedTaskSource;
import dev.dray.run.Cancellation;
import dev.dray.run.RetryPolicy;
import dev.dray.run.RuntimeControls;
import dev.dray.run.Sleeper;
import dev.dray.run.TaskListener;
import dev.dray.run.ThrottleCondition;
import dev.dray.run.ThrottleConditions;
import dev.dray.run.Throttler;
import dev.dray.run.WorkerPool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a table into another one (same server or another) in parallel key-range chunks, with a
 * gap-free checkpoint on the target, throttling and retries.
 *
 * <p>A producer thread walks the source key ahead of the workers ({@link
 * dev.dray.plan.KeysetBoundaries}) and numbers each chunk at dispatch; workers copy chunks out of
 * order, each in one target transaction that also moves the checkpoint when the chunk advances the
 * frontier. A crash leaves every chunk up to the checkpoint copied; {@code resume} continues after
 * it, and re-copying a chunk above it is harmless ({@code INSERT IGNORE}).
 *
 * <pre>{@code
 * CopyResult result = CopyJob.builder()
 *     .source(ConnectionConfig.of("jdbc:mariadb://127.0.0.1:3306/shop?user=root"))
 *     .sourceTable(TableName.parse("shop.orders"))
 *     .targetTable(TableName.parse("shop.orders_copy"))
 *     .workers(8)
 *     .build()
 *     .run();
 * }</pre>
 */
public final class CopyJob {
  private static final Logger LOG = LoggerFactory.getLogger(CopyJob.class);

  private final CopySettings settings;
  private final JobTimeline timeline;
  private final RuntimeControls controls;

  private CopyJob(CopySettings settings, JobTimeline timeline, RuntimeControls controls) {
    this.settings = settings;
    this.timeline = timeline;
    this.controls = controls;
  }

  public static Builder builder() {
    return new Builder();
  }

  public CopySettings settings() {
    return settings;
  }

  /** What the job would do; touches nothing. */
  public CopyPlan plan() {
    try (Connection source = openSource();
        Connection target = openTarget()) {
      Prepared prepared = prepare(source, target);
      Optional<Checkpoint> checkpoint = prepared.store.read(target);
      return planOf(
          prepared,
          checkpoint.filter(c -> settings.resume()).map(Checkpoint::position).orElse(null));
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "planning the copy of " + settings.sourceTable() + " failed: " + SqlErrors.describe(e),
          e);
    }
  }

  public CopyResult run() {
    return run(new Cancellation(), CopyListener.NONE);
  }

  /** Runs the copy; throws {@link DrayException} on failure with the checkpoint left valid. */
  public CopyResult run(Cancellation cancellation, CopyListener listener) {
    long started = System.nanoTime();
    try (Connection source = openSource();
        Connection target = openTarget()) {
      Prepared prepared = prepare(source, target);
      Checkpoint checkpoint = startCheckpoint(prepared.store, target);
      FrontierPosition start = checkpoint.position();
      CopyPlan plan = planOf(prepared, settings.resume() ? start : null);
      listener.planned(plan);
      if (checkpoint.complete()) {
        LOG.info("{}: the checkpoint says the copy is complete; nothing to do", settings.jobId());
        return result(prepared, start, start, 0, 0, started, 0, 0, settings.chunkRows());
      }
      ChunkSizer sizer = new ChunkSizer(settings.chunkRows(), settings.chunkTime());
      CheckpointTracker tracker = new CheckpointTracker(start);
      try (Throttler throttler = new Throttler(throttleConditions())) {
        if (timeline != null) {
          throttler.listener(timeline.throttleListener());
        }
        if (controls != null) {
          controls.bindChunkRows(sizer::chunkRows, sizer::override);
        }
        throttler.start();
        CopyRun run =
            new CopyRun(
                settings,
                prepared.mode,
                prepared.dialect,
                prepared.sourceInfo,
                prepared.columns,
                prepared.store,
                tracker,
                throttler,
                sizer,
                cancellation);
        long workersStarted = System.nanoTime();
        listener.started(() -> progress(run, prepared.sourceInfo.estimatedRows(), workersStarted));
        if (timeline != null) {
          timeline.workers(settings.workers());
          timeline.sampleRows(run.rowsCopied::get);
          timeline.sampleChunkRows(sizer::chunkRows);
          timeline.startSampling();
        }
        BoundedTaskSource<Task> tasks =
            new BoundedTaskSource<>(settings.workers() * 2, cancellation);
        ChunkProducer producer =
            new ChunkProducer(
                settings.source(),
                prepared.dialect,
                settings.sourceTable(),
                prepared.columns.keyColumns(),
                sizer::chunkRows,
                cancellation);
        producer.start("copy", checkpoint.remaining(), start.sequence() + 1, tasks);
        try {
          new WorkerPool<Task>(
                  "copy",
                  settings.workers(),
                  RetryPolicy.transientSqlErrors(settings.maxAttempts()),
                  Sleeper.SYSTEM,
                  Task::describe)
              .run(
                  tasks,
                  (index, c) -> new CopyWorker(run),
                  cancellation,
                  new TaskListener<Task>() {
                    @Override
                    public void finished(Task task, int workerIndex, int attempts, long nanos) {
                      listener.frontierAdvanced(tracker.position());
                    }
                  }.andThen(
                      timeline == null
                          ? TaskListener.none()
                          // chunk rows arrive through the throttler's listener
                          : timeline.taskListener(
                              Task::describe, t -> t.table().toString(), null)));
        } catch (DrayException e) {
          throw new DrayException(
              e.code(),
              e.getMessage()
                  + "; every chunk up to #"
                  + tracker.position().sequence()
                  + " is copied and the checkpoint in "
                  + prepared.store.table()
                  + " is valid: continue with --resume",
              e);
        } finally {
          producer.join();
        }
        FrontierPosition end = tracker.position();
        if (tracker.pendingCount() > 0 || producer.planned() != run.chunksDone.get()) {
          throw new DrayException(
              ErrorCode.INTERNAL,
              "copy ended with unfinished chunks; the checkpoint stays at chunk " + end.sequence());
        }
        // the last chunk may have committed without the checkpoint (it raced another chunk)
        prepared.store.advance(target, end, sizer.chunkRows());
        prepared.store.markFinished(target);
        return result(
            prepared,
            start,
            end,
            run.chunksDone.get(),
            run.rowsCopied.get(),
            started,
            throttler.throttledTime().toNanos() / 1e9,
            run.retries.get(),
            sizer.chunkRows());
      }
    } catch (SQLException e) {
      ErrorCode code =
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED;
      throw new DrayException(
          code,
          "copy of "
              + settings.sourceTable()
              + " into "
              + settings.targetTable()
              + " failed: "
              + SqlErrors.describe(e),
          e);
    }
  }

  private CopyResult result(
      Prepared prepared,
      FrontierPosition start,
      FrontierPosition end,
      long chunks,
      long rows,
      long startedNanos,
      double throttled,
      long retries,
      long chunkRows) {
    return new CopyResult(
        settings.jobId(),
        settings.sourceTable().toString(),
        settings.targetTable().toString(),
        prepared.mode,
        prepared.columns.names(),
        settings.workers(),
        chunks,
        rows,
        start.sequence(),
        end.sequence(),
        (System.nanoTime() - startedNanos) / 1e9,
        throttled,
        retries,
        chunkRows);
  }

  private static CopyProgress progress(CopyRun run, long estimatedRows, long startedNanos) {
    return new CopyProgress(
        run.rowsCopied.get(),
        estimatedRows,
        run.chunksDone.get(),
        run.tracker.position().sequence(),
        run.tracker.pendingCount(),
        run.sizer.chunkRows(),
        (System.nanoTime() - startedNanos) / 1e9,
        run.throttler.isThrottling() ? run.throttler.lastReason() : null,
        run.throttler.throttledTime().toNanos() / 1e9);
  }

  private List<ThrottleCondition> throttleConditions() {
    ThrottleSettings throttle = settings.throttle();
    List<ThrottleCondition> conditions = new ArrayList<>();
    if (throttle.pauseFile() != null) {
      conditions.add(ThrottleConditions.pauseFile(throttle.pauseFile()));
    }
    if (controls != null) {
      // the operator may change the rate while the copy runs: the controls own the rate limit
      controls.startingMaxRowsPerSecond(throttle.maxRowsPerSecond());
      conditions.add(controls.throttleCondition());
    } else if (throttle.maxRowsPerSecond() > 0) {
      conditions.add(ThrottleConditions.rateLimit(throttle.maxRowsPerSecond()));
    }
    if (throttle.maxThreadsRunning() > 0) {
      conditions.add(
          ThrottleConditions.threadsRunning(settings.source(), throttle.maxThreadsRunning()));
    }
    for (ConnectionConfig replica : throttle.replicas()) {
      conditions.add(ThrottleConditions.replicaLag(replica, throttle.maxReplicaLag()));
    }
    if (throttle.throttleQuery() != null) {
      conditions.add(ThrottleConditions.query(settings.source(), throttle.throttleQuery()));
    }
    return conditions;
  }

  private Checkpoint startCheckpoint(CheckpointStore store, Connection target) throws SQLException {
    try {
      store.createTable(target);
    } catch (SQLException e) {
      ErrorCode code =
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.TARGET_UNAVAILABLE;
      throw new DrayException(
          code,
          "cannot create the checkpoint table "
              + store.table()
              + " on the target: "
              + SqlErrors.describe(e),
          e);
    }
    Optional<Checkpoint> existing = store.read(target);
    if (settings.resume() && existing.isPresent()) {
      Checkpoint checkpoint = existing.get();
      if (!Objects.equals(checkpoint.sourceTable(), settings.sourceTable().toString())
          || !Objects.equals(checkpoint.targetTable(), settings.targetTable().toString())) {
        throw DrayException.usage(
            "checkpoint "
                + settings.jobId()
                + " belongs to "
                + checkpoint.sourceTable()
                + " -> "
                + checkpoint.targetTable()
                + ", not to this copy");
      }
      LOG.info(
          "{}: resuming after chunk {} ({} rows copied before)",
          settings.jobId(),
          checkpoint.position().sequence(),
          checkpoint.position().rowsCopied());
      return checkpoint;
    }
    if (!settings.resume() && existing.isPresent() && !existing.get().finished()) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "an unfinished copy "
              + settings.jobId()
              + " has a checkpoint at chunk "
              + existing.get().position().sequence()
              + " in "
              + store.table()
              + ": continue it with --resume (or delete its row to start over)");
    }
    store.reset(
        target,
        settings.sourceTable().toString(),
        settings.targetTable().toString(),
        settings.chunkRows());
    return store.read(target).orElseThrow();
  }

  private record Prepared(
      Dialect dialect,
      TableInfo sourceInfo,
      TableInfo targetInfo,
      CopyColumns columns,
      CopyMode mode,
      CheckpointStore store) {}

  private Prepared prepare(Connection source, Connection target) throws SQLException {
    checkThrottleQuery(source);
    checkReplicas();
    Dialect dialect = Dialects.detect(source);
    TableInfo sourceInfo = new TableInspector(source).inspect(settings.sourceTable());
    TableInspector targetInspector = new TableInspector(target);
    if (!targetInspector.exists(settings.targetTable())) {
      throw new DrayException(
          ErrorCode.NOT_FOUND,
          "target table "
              + settings.targetTable()
              + " does not exist (or is not visible to this user); create it first, e.g. CREATE TABLE "
              + settings.targetTable()
              + " LIKE "
              + settings.sourceTable());
    }
    TableInfo targetInfo = targetInspector.inspect(settings.targetTable());
    CopyColumns columns =
        CopyColumns.match(
            sourceInfo, targetInfo, columnsWithoutDefault(target, settings.targetTable()));
    CopyMode mode =
        settings.mode() == CopyMode.AUTO
            ? (sameServer(source, target) ? CopyMode.SERVER_SIDE : CopyMode.STREAMING)
            : settings.mode();
    if (mode == CopyMode.SERVER_SIDE) {
      AutoIncrementLock.serializationWarning(target, settings.targetTable(), settings.workers())
          .ifPresent(LOG::warn);
    }
    return new Prepared(
        dialect,
        sourceInfo,
        targetInfo,
        columns,
        mode,
        new CheckpointStore(dialect, settings.targetTable().schema(), settings.jobId()));
  }

  private CopyPlan planOf(Prepared prepared, FrontierPosition resumeFrom) {
    return new CopyPlan(
        settings.jobId(),
        settings.sourceTable().toString(),
        settings.targetTable().toString(),
        prepared.mode,
        prepared.columns.names(),
        prepared.columns.keyColumns(),
        prepared.sourceInfo.estimatedRows(),
        settings.chunkRows(),
        settings.chunkTime() == null ? null : settings.chunkTime().toMillis() + "ms",
        settings.workers(),
        prepared.store.table().toString(),
        resumeFrom);
  }

  /**
   * Runs the throttle query once up front: a query that cannot run would otherwise hold the copy
   * paused forever ("cannot check throttle query"), which looks like a hang.
   */
  private void checkThrottleQuery(Connection source) {
    String sql = settings.throttle().throttleQuery();
    if (sql == null) {
      return;
    }
    try (java.sql.Statement statement = source.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
    } catch (SQLException e) {
      throw DrayException.usage("the throttle query cannot run: " + SqlErrors.describe(e));
    }
  }

  /**
   * Reads each replica's lag once up front, with the replica's own credentials: a wrong password, a
   * missing privilege or a wrong URL would otherwise hold the copy paused forever ("cannot check
   * replica lag"), which looks like a hang. A replica that does not replicate right now is no error
   * here: it holds the copy back until it does.
   */
  private void checkReplicas() {
    for (ConnectionConfig replica : settings.throttle().replicas()) {
      try (Connection connection = Connections.open(replica)) {
        Dialects.detect(connection).replicaLagSeconds(connection);
      } catch (DrayException e) {
        throw new DrayException(e.code(), "replica: " + e.getMessage(), e);
      } catch (SQLException e) {
        throw new DrayException(
            SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
            "replica: cannot read the replication status of "
                + replica.safeUrl()
                + (replica.user() == null ? "" : " as " + replica.user())
                + ": "
                + SqlErrors.describe(e),
            e);
      }
    }
  }

  /**
   * Target columns an INSERT must name: NOT NULL, no default, not auto-increment, not generated.
   */
  private static Set<String> columnsWithoutDefault(Connection connection, TableName table)
      throws SQLException {
    Set<String> names = new HashSet<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
                + " AND IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL AND EXTRA NOT LIKE '%auto_increment%'")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  /**
   * Whether one INSERT ... SELECT can do the job: the same server (same identity, not just the same
   * URL text) reached with the same credentials.
   */
  private boolean sameServer(Connection source, Connection target) throws SQLException {
    if (!Objects.equals(settings.source().user(), settings.target().user())
        || !Objects.equals(settings.source().password(), settings.target().password())) {
      return false;
    }
    return serverIdentity(source).equals(serverIdentity(target));
  }

  private static String serverIdentity(Connection connection) throws SQLException {
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT CONCAT_WS('|', @@hostname, @@port, @@datadir, @@server_id)");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private Connection openSource() {
    return Connections.open(settings.source());
  }

  private Connection openTarget() {
    try {
      return Connections.open(settings.target());
    } catch (DrayException e) {
      throw new DrayException(e.code(), "target: " + e.getMessage(), e);
    }
  }

  /** Builds a {@link CopyJob}; {@link #build()} validates the settings. */
  public static final class Builder {
    private ConnectionConfig source;
    private TableName sourceTable;
    private ConnectionConfig target;
    private TableName targetTable;
    private int workers = CopySettings.DEFAULT_WORKERS;
    private long chunkRows = CopySettings.DEFAULT_CHUNK_ROWS;
    private Duration chunkTime;
    private CopyMode mode = CopyMode.AUTO;
    private boolean resume;
    private String jobId;
    private int maxAttempts = CopySettings.DEFAULT_MAX_ATTEMPTS;
    private Duration lockWaitTimeout;
    private Duration checkpointInterval;
    private long maxThreadsRunning;
    private final List<ConnectionConfig> replicas = new ArrayList<>();
    private Duration maxReplicaLag;
    private String throttleQuery;
    private Path pauseFile;
    private long maxRowsPerSecond;
    private JobTimeline timeline;
    private RuntimeControls controls;

    private Builder() {}

    public Builder source(ConnectionConfig source) {
      this.source = requireNonNull(source, "source is null");
      return this;
    }

    public Builder sourceTable(TableName table) {
      this.sourceTable = requireNonNull(table, "table is null");
      return this;
    }

    /** The target server; without it the source server. */
    public Builder target(ConnectionConfig target) {
      this.target = target;
      return this;
    }

    public Builder targetTable(TableName table) {
      this.targetTable = requireNonNull(table, "table is null");
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

    /** Adapts the chunk size so a chunk takes about this long (null: fixed size). */
    public Builder chunkTime(Duration chunkTime) {
      this.chunkTime = chunkTime;
      return this;
    }

    public Builder mode(CopyMode mode) {
      this.mode = mode;
      return this;
    }

    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    public Builder jobId(String jobId) {
      this.jobId = jobId;
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder lockWaitTimeout(Duration lockWaitTimeout) {
      this.lockWaitTimeout = lockWaitTimeout;
      return this;
    }

    /** The least time between checkpoint writes (zero: every chunk that moves the frontier). */
    public Builder checkpointInterval(Duration interval) {
      this.checkpointInterval = interval;
      return this;
    }

    public Builder maxThreadsRunning(long max) {
      this.maxThreadsRunning = max;
      return this;
    }

    public Builder replica(ConnectionConfig replica) {
      replicas.add(requireNonNull(replica, "replica is null"));
      return this;
    }

    public Builder maxReplicaLag(Duration maxLag) {
      this.maxReplicaLag = maxLag;
      return this;
    }

    public Builder throttleQuery(String sql) {
      this.throttleQuery = sql;
      return this;
    }

    public Builder pauseFile(Path file) {
      this.pauseFile = file;
      return this;
    }

    public Builder maxRowsPerSecond(long rows) {
      this.maxRowsPerSecond = rows;
      return this;
    }

    /** Records the run's chunks, throttling and rates over time (HTML report, live status). */
    public Builder timeline(JobTimeline timeline) {
      this.timeline = timeline;
      return this;
    }

    /** Lets an operator pause, resume and change the rate and chunk size while the copy runs. */
    public Builder controls(RuntimeControls controls) {
      this.controls = controls;
      return this;
    }

    public CopyJob build() {
      ThrottleSettings throttle =
          new ThrottleSettings(
              maxThreadsRunning,
              replicas,
              maxReplicaLag,
              throttleQuery,
              pauseFile,
              maxRowsPerSecond);
      CopySettings settings =
          new CopySettings(
              source,
              sourceTable,
              target,
              targetTable,
              workers,
              chunkRows,
              chunkTime,
              mode,
              resume,
              jobId,
              maxAttempts,
              lockWaitTimeout,
              checkpointInterval,
              throttle);
      if (timeline != null) {
        timeline.settings(settings);
        if (controls != null) {
          timeline.controls(controls);
        }
      }
      return new CopyJob(settings, timeline, controls);
    }
  }
}
