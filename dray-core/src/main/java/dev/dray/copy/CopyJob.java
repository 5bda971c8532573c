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
import dev.dray.plan.KeyCodec;
import dev.dray.plan.Task;
import dev.dray.report.JobTimeline;
import dev.dray.run.BoundedTaskSource;
import dev.dray.run.Cancellation;
import dev.dray.run.JobLock;
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
 * it: a chunk above it that had committed is emptied and copied again. Writes are strict and
 * counted: a row the target would drop or change fails its chunk ({@link ChunkMover}), and a target
 * that could do so is refused before anything is written ({@link TargetPreflight}).
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
  private final List<ThrottleCondition> extraConditions;
  private final JobTimeline timeline;
  private final RuntimeControls controls;
  private final ColumnMapping alter;

  private CopyJob(
      CopySettings settings,
      List<ThrottleCondition> extraConditions,
      JobTimeline timeline,
      RuntimeControls controls,
      ColumnMapping alter) {
    this.settings = settings;
    this.extraConditions = List.copyOf(extraConditions);
    this.timeline = timeline;
    this.controls = controls;
    this.alter = alter;
  }

  public static Builder builder() {
    return new Builder();
  }

  public CopySettings settings() {
    return settings;
  }

  /** The column mapping of an alter's copy, or null for a plain copy. */
  ColumnMapping alterMapping() {
    return alter;
  }

  /**
   * What the job would do; touches nothing. Refuses as {@link #run} would: a target that could lose
   * or change rows, a non-empty target, an unfinished checkpoint without {@code resume}.
   */
  public CopyPlan plan() {
    try (Connection source = openSource();
        Connection target = openTarget()) {
      Prepared prepared = prepare(source, target, false);
      Optional<Checkpoint> existing =
          prepared.created == null ? prepared.store.read(target) : Optional.empty();
      Optional<Checkpoint> resumable = resumable(prepared.store, existing);
      String targetState =
          prepared.created != null
              ? "does not exist: --create-target will create it " + prepared.created
              : resumable.isPresent()
                  ? "resuming: rows above the checkpoint are this copy's own"
                  : requireEmptyOrOverwrite(target, prepared.store, existing);
      Optional<String> holder = JobLock.holder(settings.target(), lockKey());
      return planOf(
          prepared,
          resumable.map(Checkpoint::position).orElse(null),
          targetState,
          holder.orElse(null));
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

  /**
   * Runs the copy; throws {@link DrayException} on failure with the checkpoint left valid. Holds
   * the job's lock on the target server for the whole run, so a second run of the same target table
   * refuses while this one is alive.
   */
  public CopyResult run(Cancellation cancellation, CopyListener listener) {
    long started = System.nanoTime();
    try (JobLock lock = takeLock(cancellation)) {
      Prepared prepared;
      Checkpoint checkpoint;
      try (Connection source = openSource();
          Connection target = openTarget()) {
        prepared = prepare(source, target, true);
        checkpoint = startCheckpoint(prepared.store, target);
      }
      FrontierPosition start = checkpoint.position();
      CopyPlan plan =
          planOf(
              prepared,
              settings.resume() ? start : null,
              prepared.created == null ? null : "created " + prepared.created,
              null);
      listener.planned(plan);
      if (checkpoint.complete()) {
        // every chunk is in (a run may have been killed after its last chunk, before it marked
        // the checkpoint finished): mark it now
        LOG.info("{}: the checkpoint says the copy is complete; nothing to do", settings.jobId());
        try (Connection target = openTarget()) {
          prepared.store.markFinished(target);
        }
        return result(prepared, start, start, 0, 0, started, 0, 0, settings.chunkRows());
      }
      // the first checkpoint write happens inside a chunk's transaction: load the JSON classes it
      // needs now (seconds on a busy machine) rather than with that chunk's locks held
      KeyCodec.encodeRange(checkpoint.remaining());
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
                cancellation,
                RetryPolicy.transientSqlErrors(settings.maxAttempts()),
                Sleeper.SYSTEM);
        producer.start("copy", checkpoint.remaining(), start.sequence() + 1, tasks);
        WorkerPool<Task> pool =
            new WorkerPool<Task>(
                "copy",
                settings.workers(),
                RetryPolicy.transientSqlErrors(settings.maxAttempts()),
                Sleeper.SYSTEM,
                Task::describe);
        if (controls != null) {
          controls.bindWorkers(pool::workers, pool::resize);
        }
        try {
          pool.run(
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
                      : timeline.taskListener(Task::describe, t -> t.table().toString(), null)));
        } catch (DrayException e) {
          long stored = storeFrontier(prepared.store, tracker.position(), sizer.chunkRows(), run);
          throw new DrayException(
              e.code(),
              e.getMessage()
                  + "; "
                  + (stored < 0
                      ? "no chunk is checkpointed yet"
                      : "every chunk up to #" + stored + " is copied")
                  + " and the checkpoint in "
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
              "copy ended with unfinished chunks; the checkpoint stays at chunk "
                  + run.lastStoredSequence.get());
        }
        // a fresh session: the first one may have idled past the server's wait_timeout meanwhile;
        // the last chunk may have committed without the checkpoint (it raced another chunk)
        try (Connection target = openTarget()) {
          prepared.store.advance(target, end, sizer.chunkRows());
          prepared.store.markFinished(target);
        }
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

  /** The job lock's key: one copy (or verify) per target table and server at a time. */
  private String lockKey() {
    return lockKey(settings.targetTable());
  }

  static String lockKey(TableName targetTable) {
    return "dray:copy:" + targetTable;
  }

  private JobLock takeLock(Cancellation cancellation) {
    try {
      return JobLock.acquire(
          settings.target(),
          lockKey(),
          "copy " + settings.jobId(),
          "wait for it to finish, or stop it and run this copy again with --resume",
          JobLock.DEFAULT_HEARTBEAT,
          cancellation::cancel);
    } catch (DrayException e) {
      throw e.code() == ErrorCode.TARGET_UNAVAILABLE
          ? e
          : new DrayException(e.code(), "target: " + e.getMessage(), e);
    }
  }

  /**
   * After a failure: moves the stored checkpoint up to the in-memory frontier (every chunk up to it
   * committed), then returns the position the table holds, which is what a resume continues from.
   * When the target cannot be reached, the last position this run wrote.
   */
  private long storeFrontier(
      CheckpointStore store, FrontierPosition frontier, long chunkRows, CopyRun run) {
    try (Connection target = Connections.open(settings.target())) {
      store.advance(target, frontier, chunkRows);
      return store.read(target).map(c -> c.position().sequence()).orElse(-1L);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("cannot store the frontier after the failure: {}", SqlErrors.describe(e));
      return run.lastStoredSequence.get();
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
    conditions.addAll(extraConditions);
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
    Optional<Checkpoint> resumable = resumable(store, existing);
    if (resumable.isPresent()) {
      Checkpoint checkpoint = resumable.get();
      LOG.info(
          "{}: resuming after chunk {} ({} rows copied before)",
          settings.jobId(),
          checkpoint.position().sequence(),
          checkpoint.position().rowsCopied());
      return checkpoint;
    }
    LOG.info("{}: {}", settings.jobId(), requireEmptyOrOverwrite(target, store, existing));
    store.reset(
        target,
        settings.sourceTable().toString(),
        settings.targetTable().toString(),
        settings.chunkRows());
    return store.read(target).orElseThrow();
  }

  /**
   * The checkpoint a run continues from, or empty for a start from the beginning; refuses an
   * unfinished checkpoint without {@code resume} (so a typo does not restart a half-done copy) and
   * a checkpoint of another table pair.
   */
  private Optional<Checkpoint> resumable(CheckpointStore store, Optional<Checkpoint> existing) {
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
      return existing;
    }
    if (settings.resume()) {
      LOG.warn(
          "{}: --resume found no checkpoint of this job in {}: starting from the beginning",
          settings.jobId(),
          store.table());
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
    return Optional.empty();
  }

  /**
   * A copy from the beginning starts on an empty target, so that every row in a chunk's range is
   * this copy's own and no row of the target that differs from the source is kept; with {@code
   * overwriteTarget} the target's rows are replaced instead. Returns what the start does, in words.
   */
  private String requireEmptyOrOverwrite(
      Connection target, CheckpointStore store, Optional<Checkpoint> existing) {
    if (settings.overwriteTarget()) {
      return "target "
          + settings.targetTable()
          + ": overwriting (each chunk's key range is emptied before it is copied)";
    }
    if (new TableInspector(target).isEmpty(settings.targetTable())) {
      return "target " + settings.targetTable() + " is empty";
    }
    throw new DrayException(
        ErrorCode.TARGET_UNAVAILABLE,
        "target table "
            + settings.targetTable()
            + " already holds rows"
            + (existing.isPresent() && existing.get().finished()
                ? " (copy " + settings.jobId() + " finished earlier, says " + store.table() + ")"
                : settings.resume() ? " and --resume found no checkpoint of this copy" : "")
            + ": a copy starts only on an empty table, so that no target row that differs from the"
            + " source is kept; empty it (TRUNCATE "
            + settings.targetTable()
            + "), or pass --overwrite-target to replace its rows with the source's");
  }

  private record Prepared(
      Dialect dialect,
      TableInfo sourceInfo,
      TableInfo targetInfo,
      CopyColumns columns,
      CopyMode mode,
      CheckpointStore store,
      String created) {}

  /**
   * Inspects both tables and refuses what cannot be copied. A missing target with {@code
   * createTarget} is created when {@code create} is set; otherwise (a dry run) it is described as
   * the source's twin and {@link Prepared#created} says how it would be made.
   */
  private Prepared prepare(Connection source, Connection target, boolean create)
      throws SQLException {
    checkThrottleQuery(source);
    checkReplicas();
    Dialect dialect = Dialects.detect(source);
    TableInspector sourceInspector = new TableInspector(source);
    if (sourceInspector.isView(settings.sourceTable())) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "source "
              + settings.sourceTable()
              + " is a view, not a table: copy reads a table in primary-key chunks; copy the view's"
              + " base table (SHOW CREATE VIEW "
              + settings.sourceTable()
              + " names it), or store the view's rows in a table first");
    }
    TableInfo sourceInfo = sourceInspector.inspect(settings.sourceTable());
    TableInspector targetInspector = new TableInspector(target);
    if (targetInspector.isView(settings.targetTable())) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "target "
              + settings.targetTable()
              + " is a view, not a table: copy into the view's base table");
    }
    String created = null;
    if (!targetInspector.exists(settings.targetTable())) {
      if (!settings.createTarget()) {
        throw new DrayException(
            ErrorCode.NOT_FOUND,
            "target table "
                + settings.targetTable()
                + " does not exist (or is not visible to this user); create it first, e.g. CREATE"
                + " TABLE "
                + settings.targetTable()
                + " LIKE "
                + settings.sourceTable()
                + ", or pass --create-target");
      }
      created = createTarget(source, target, dialect, create);
    }
    boolean pretend = created != null && !create;
    TableInfo targetInfo =
        pretend
            ? new TableInfo(
                settings.targetTable(),
                sourceInfo.columns(),
                sourceInfo.key(),
                sourceInfo.keyIsPrimary(),
                sourceInfo.partitions(),
                0)
            : targetInspector.inspect(settings.targetTable());
    CopyColumns columns =
        CopyColumns.match(
            sourceInfo,
            targetInfo,
            pretend
                ? columnsWithoutDefault(source, settings.sourceTable())
                : columnsWithoutDefault(target, settings.targetTable()),
            alter);
    if (alter == null) { // an altered table may be stricter: its rows decide, by strict writes
      TargetPreflight.check(
          sourceInfo,
          dialect.constraints(source, settings.sourceTable()),
          targetInfo,
          pretend
              ? dialect.constraints(source, settings.sourceTable())
              : Dialects.detect(target).constraints(target, settings.targetTable()),
          columns);
    }
    CopyMode mode =
        settings.mode() == CopyMode.AUTO
            ? (sameServer(dialect, source, target) ? CopyMode.SERVER_SIDE : CopyMode.STREAMING)
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
        new CheckpointStore(dialect, settings.targetTable().schema(), settings.jobId()),
        created);
  }

  /**
   * Creates the missing target (when {@code create}) and says how: {@code LIKE} the source on the
   * same server, from the source's {@code SHOW CREATE TABLE} statement on another.
   */
  private String createTarget(Connection source, Connection target, Dialect dialect, boolean create)
      throws SQLException {
    boolean like = sameServer(dialect, source, target);
    String how =
        like
            ? "LIKE " + settings.sourceTable()
            : "from SHOW CREATE TABLE " + settings.sourceTable() + " on the source";
    if (create) {
      Dialect targetDialect = Dialects.detect(target);
      try {
        if (like) {
          targetDialect.createTableLike(target, settings.targetTable(), settings.sourceTable());
        } else {
          targetDialect.createTableFrom(
              target,
              settings.targetTable(),
              dialect.showCreateTable(source, settings.sourceTable()));
        }
      } catch (SQLException e) {
        throw new DrayException(
            SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.TARGET_UNAVAILABLE,
            "cannot create target table "
                + settings.targetTable()
                + " "
                + how
                + ": "
                + SqlErrors.describe(e),
            e);
      }
      LOG.info("created target table {} {}", settings.targetTable(), how);
    }
    return how;
  }

  private CopyPlan planOf(
      Prepared prepared, FrontierPosition resumeFrom, String targetState, String lockHolder) {
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
        resumeFrom,
        targetState,
        lockHolder);
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
  private boolean sameServer(Dialect dialect, Connection source, Connection target)
      throws SQLException {
    if (!Objects.equals(settings.source().user(), settings.target().user())
        || !Objects.equals(settings.source().password(), settings.target().password())) {
      return false;
    }
    return dialect.serverIdentity(source).equals(dialect.serverIdentity(target));
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
    private boolean overwriteTarget;
    private boolean createTarget;
    private final List<ThrottleCondition> extraConditions = new ArrayList<>();
    private JobTimeline timeline;
    private RuntimeControls controls;
    private ColumnMapping alter;

    private Builder() {}

    /**
     * The target is the source with an ALTER applied: columns map through {@code mapping} (renames;
     * dropped columns are not copied), and a stricter target is not refused up front: a row it
     * cannot take fails its chunk by the strict writes, naming the key and value.
     */
    public Builder alterTarget(ColumnMapping mapping) {
      this.alter = mapping;
      return this;
    }

    /**
     * One more reason to pause the workers, beside the settings' own (the online copy adds its
     * apply lag). The job closes it with its throttler.
     */
    public Builder throttleCondition(ThrottleCondition condition) {
      extraConditions.add(requireNonNull(condition, "condition is null"));
      return this;
    }

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

    /**
     * Accepts a target that already holds rows: each chunk's key range is emptied in the target
     * before it is copied, so the target ends up with exactly the source's rows. Without it such a
     * target is refused (unless resuming this copy).
     */
    public Builder overwriteTarget(boolean overwrite) {
      this.overwriteTarget = overwrite;
      return this;
    }

    /**
     * Creates a missing target table before the copy: {@code CREATE TABLE ... LIKE} the source on
     * the same server, the source's {@code SHOW CREATE TABLE} statement on another. An existing
     * target is used as it is.
     */
    public Builder createTarget(boolean create) {
      this.createTarget = create;
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
              throttle,
              overwriteTarget,
              createTarget);
      if (timeline != null) {
        timeline.settings(settings);
        if (controls != null) {
          timeline.controls(controls);
        }
      }
      return new CopyJob(settings, extraConditions, timeline, controls, alter);
    }
  }
}
