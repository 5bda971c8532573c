package dev.dray.alter;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.copy.CopyJob;
import dev.dray.copy.OnlineCopy;
import dev.dray.copy.OnlineCopyResult;
import dev.dray.db.AlterStatements;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableInspector;
import dev.dray.db.TableName;
import dev.dray.report.JobTimeline;
import dev.dray.run.Cancellation;
import dev.dray.run.JobLock;
import dev.dray.run.RuntimeControls;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An online schema change: creates {@code _T_new} as {@code T} with the alter applied, copies
 * {@code T} into it online ({@link OnlineCopy}: parallel chunks plus the binary log's changes,
 * columns by name, renames followed, dropped columns left out), then cuts over ({@link CutOver}):
 * {@code T} becomes the new table and the original is kept as {@code _T_old}. Everything that can
 * refuse is checked before anything changes ({@link AlterPreflight}); a row the new table cannot
 * hold fails the copy before the cut-over and leaves {@code T} untouched. The copy's checkpoint and
 * binlog position (in {@code _dray_checkpoint} and {@code _dray_binlog_position}, job {@code alter
 * T}) make {@code resume} continue after a crash, also one during the cut-over. See docs/ONLINE.md.
 *
 * <pre>{@code
 * AlterResult result = AlterJob.builder()
 *     .source(config)
 *     .table(TableName.parse("shop.orders"))
 *     .alter("ADD COLUMN note VARCHAR(64) NULL")
 *     .build()
 *     .run(new Cancellation(), AlterListener.NONE);
 * }</pre>
 */
public final class AlterJob {
  private static final Logger LOG = LoggerFactory.getLogger(AlterJob.class);
  public static final Duration DEFAULT_CUT_OVER_LOCK_TIMEOUT = Duration.ofSeconds(3);

  private final AlterSettings settings;
  private final AlterNames names;
  private final JobTimeline timeline;
  private final RuntimeControls controls;

  private AlterJob(Builder builder) {
    this.settings = builder.settings();
    this.names = AlterNames.of(settings.table());
    this.timeline = builder.timeline;
    this.controls = builder.controls;
  }

  public static Builder builder() {
    return new Builder();
  }

  public AlterSettings settings() {
    return settings;
  }

  /** Checks the alter (on a temporary table) and says what it would do; changes nothing. */
  public AlterPlan plan() {
    try (Connection source = Connections.open(settings.source())) {
      AlterStatements sql = new AlterStatements(Dialects.detect(source));
      boolean resumeCopy = settings.resume() && sql.comment(source, names.newTable()) != null;
      return AlterPreflight.check(
          source,
          Dialects.detect(source),
          names,
          settings.spec(),
          resumeCopy,
          resumeCopy
              ? "the copy into " + names.newTable() + " continues from its checkpoint"
              : null);
    } catch (SQLException e) {
      throw failed("planning", e);
    }
  }

  /**
   * Runs the alter; throws {@link DrayException} on failure with {@code T} unchanged (and the
   * checkpoint valid for a resume when the copy had started).
   */
  public AlterResult run(Cancellation cancellation, AlterListener listener) {
    long started = System.nanoTime();
    try (JobLock lock =
        JobLock.acquire(
            settings.source(),
            names.lockKey(),
            names.jobId(),
            "wait for it to finish, or stop it and run this alter again with --resume",
            JobLock.DEFAULT_HEARTBEAT,
            cancellation::cancel)) {
      Dialect dialect;
      AlterPlan plan;
      boolean resumeCopy;
      try (Connection source = Connections.open(settings.source())) {
        dialect = Dialects.detect(source);
        AlterStatements sql = new AlterStatements(dialect);
        boolean newExists = sql.comment(source, names.newTable()) != null;
        if (settings.resume() && !newExists) {
          Optional<AlterResult> done = finishEarlierCutOver(source, sql, started);
          if (done.isPresent()) {
            return done.get();
          }
          LOG.info("{}: no new table to resume; starting afresh", names.jobId());
        }
        if (settings.resume()
            && newExists
            && !OnlineCopy.hasStoredPosition(source, names.table().schema(), names.jobId())) {
          // killed between creating the new table and the copy's start (maybe before the alter
          // was applied to it): start afresh
          LOG.info(
              "{}: the copy into {} never started; starting afresh",
              names.jobId(),
              names.newTable());
          sql.drop(source, names.newTable(), false);
          newExists = false;
        }
        resumeCopy = settings.resume() && newExists;
        plan =
            AlterPreflight.check(
                source,
                dialect,
                names,
                settings.spec(),
                resumeCopy,
                resumeCopy ? "the copy into " + names.newTable() + " continues" : null);
        if (resumeCopy && new TableInspector(source).isEmpty(names.newTable())) {
          LOG.info("{}: {} is empty; starting afresh", names.jobId(), names.newTable());
          sql.drop(source, names.newTable(), false);
          resumeCopy = false;
        }
        if (!resumeCopy) {
          OnlineCopy.forget(source, names.table().schema(), names.jobId());
          createNewTable(source, sql);
        }
      }
      listener.alterPlanned(plan);
      if (controls != null) {
        controls.offerCutOver(false); // POST /cut-over and /postpone-cut-over, dray ctl cutover
      }
      CutOver cutOver =
          new CutOver(
              settings.source(),
              dialect,
              names,
              plan.newUniqueKeys(),
              settings.cutOverLockTimeout(),
              settings.maxApplyLag(),
              settings.postponeCutOverFlagFile(),
              () -> controls != null && controls.cutOverRequested(),
              () -> controls != null && controls.cutOverPostponed(),
              listener);
      OnlineCopyResult copied;
      try {
        copied =
            OnlineCopy.builder()
                .copy(copyJob(resumeCopy, plan))
                .maxApplyLag(settings.maxApplyLag())
                .serverId(settings.serverId())
                .whenCaughtUp(cutOver)
                .build()
                .run(cancellation, listener);
      } catch (DrayException e) {
        throw rowsRefused(e) ? abandon(e) : e;
      }
      try (Connection source = Connections.open(settings.source())) {
        finish(source, new AlterStatements(dialect));
      }
      return new AlterResult(
          names.table().toString(),
          settings.dropOldTable() ? null : names.oldTable().toString(),
          settings.spec(),
          copied,
          cutOver.attempts(),
          cutOver.blockedMillis(),
          (System.nanoTime() - started) / 1e9);
    } catch (SQLException e) {
      throw failed("the alter", e);
    }
  }

  /** Whether the rows cannot satisfy the alter (a duplicate, a NULL, a value that does not fit). */
  private static boolean rowsRefused(DrayException e) {
    return SqlErrors.refusedRowReason(e) != null
        || e.getMessage().startsWith("the alter cannot be applied");
  }

  /**
   * The alter cannot succeed with these rows: the new table and the job's rows go, so that a
   * corrected alter starts afresh; T was never touched.
   */
  private DrayException abandon(DrayException e) {
    try (Connection source = Connections.open(settings.source())) {
      new AlterStatements(Dialects.detect(source)).drop(source, names.newTable(), false);
      OnlineCopy.forget(source, names.table().schema(), names.jobId());
    } catch (SQLException | RuntimeException cleanup) {
      e.addSuppressed(cleanup);
    }
    String message = e.getMessage();
    int tail = message.indexOf("; nothing of this chunk was committed");
    if (tail > 0) {
      message = message.substring(0, tail); // the resume advice does not apply
    }
    return new DrayException(
        e.code(),
        (message.startsWith("the alter cannot be applied")
                ? message
                : "the alter cannot be applied to the rows of " + names.table() + ": " + message)
            + "; "
            + names.table()
            + " is unchanged and "
            + names.newTable()
            + " was dropped",
        e);
  }

  private CopyJob.Builder copyJob(boolean resume, AlterPlan plan) {
    CopyJob.Builder copy =
        CopyJob.builder()
            .source(settings.source())
            .sourceTable(names.table())
            .targetTable(names.newTable())
            .jobId(names.jobId())
            .resume(resume)
            .alterTarget(plan.mapping())
            .workers(settings.workers())
            .chunkRows(settings.chunkRows())
            .chunkTime(settings.chunkTime())
            .maxThreadsRunning(settings.maxThreadsRunning())
            .pauseFile(settings.pauseFile())
            .maxRowsPerSecond(settings.maxRowsPerSecond())
            .throttleQuery(settings.throttleQuery())
            .timeline(timeline)
            .controls(controls);
    return copy;
  }

  /** {@code CREATE TABLE _T_new LIKE T}, the alter, and T's next AUTO_INCREMENT value. */
  private void createNewTable(Connection source, AlterStatements sql) throws SQLException {
    sql.createLike(source, names.newTable(), names.table(), false);
    try {
      sql.alter(source, names.newTable(), settings.spec());
      long next = sql.autoIncrement(source, names.table());
      if (next > 1) {
        sql.setAutoIncrement(source, names.newTable(), next);
      }
    } catch (SQLException | RuntimeException e) {
      sql.drop(source, names.newTable(), false);
      throw e;
    }
  }

  /** After the cut-over: drops the original when asked, then the job's checkpoint rows. */
  private void finish(Connection source, AlterStatements sql) throws SQLException {
    if (settings.dropOldTable()) {
      sql.drop(source, names.oldTable(), false);
    }
    OnlineCopy.forget(source, names.table().schema(), names.jobId());
  }

  /**
   * A resume without {@code _T_new} whose checkpoint rows still exist: the cut-over had renamed it
   * to {@code T} before the crash; finishes it.
   */
  private Optional<AlterResult> finishEarlierCutOver(
      Connection source, AlterStatements sql, long started) throws SQLException {
    if (!OnlineCopy.hasStoredPosition(source, names.table().schema(), names.jobId())) {
      return Optional.empty();
    }
    if (sql.comment(source, names.oldTable()) == null && !settings.dropOldTable()) {
      // no new table and no old one: not a finished cut-over (the new table was dropped by hand)
      OnlineCopy.forget(source, names.table().schema(), names.jobId());
      return Optional.empty();
    }
    LOG.info("{}: the cut-over had completed before the interruption; finishing", names.jobId());
    finish(source, sql);
    return Optional.of(
        new AlterResult(
            names.table().toString(),
            settings.dropOldTable() ? null : names.oldTable().toString(),
            settings.spec(),
            null,
            0,
            0,
            (System.nanoTime() - started) / 1e9));
  }

  private DrayException failed(String what, SQLException e) {
    return new DrayException(
        SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
        what + " of " + settings.table() + " failed: " + SqlErrors.describe(e),
        e);
  }

  /** Builds an {@link AlterJob}; {@link #build()} validates the settings. */
  public static final class Builder {
    private ConnectionConfig source;
    private TableName table;
    private String spec;
    private int workers = dev.dray.copy.CopySettings.DEFAULT_WORKERS;
    private long chunkRows = dev.dray.copy.CopySettings.DEFAULT_CHUNK_ROWS;
    private Duration chunkTime;
    private Duration maxApplyLag = OnlineCopy.DEFAULT_MAX_APPLY_LAG;
    private Path postponeCutOverFlagFile;
    private Duration cutOverLockTimeout = DEFAULT_CUT_OVER_LOCK_TIMEOUT;
    private boolean dropOldTable;
    private boolean resume;
    private Path pauseFile;
    private long maxThreadsRunning;
    private long maxRowsPerSecond;
    private String throttleQuery;
    private long serverId;
    private JobTimeline timeline;
    private RuntimeControls controls;

    private Builder() {}

    public Builder source(ConnectionConfig source) {
      this.source = requireNonNull(source, "source is null");
      return this;
    }

    public Builder table(TableName table) {
      this.table = requireNonNull(table, "table is null");
      return this;
    }

    /** The ALTER specification: what follows {@code ALTER TABLE T}. */
    public Builder alter(String spec) {
      this.spec = spec;
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

    public Builder chunkTime(Duration chunkTime) {
      this.chunkTime = chunkTime;
      return this;
    }

    public Builder maxApplyLag(Duration maxApplyLag) {
      this.maxApplyLag = maxApplyLag;
      return this;
    }

    /** While this file exists, stay caught up and do not cut over. */
    public Builder postponeCutOverFlagFile(Path file) {
      this.postponeCutOverFlagFile = file;
      return this;
    }

    /** How long writes to the table may wait at the cut-over (default 3s). */
    public Builder cutOverLockTimeout(Duration timeout) {
      this.cutOverLockTimeout = timeout;
      return this;
    }

    public Builder dropOldTable(boolean drop) {
      this.dropOldTable = drop;
      return this;
    }

    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    public Builder pauseFile(Path file) {
      this.pauseFile = file;
      return this;
    }

    public Builder maxThreadsRunning(long max) {
      this.maxThreadsRunning = max;
      return this;
    }

    public Builder maxRowsPerSecond(long rows) {
      this.maxRowsPerSecond = rows;
      return this;
    }

    public Builder throttleQuery(String sql) {
      this.throttleQuery = sql;
      return this;
    }

    public Builder serverId(long serverId) {
      this.serverId = serverId;
      return this;
    }

    public Builder timeline(JobTimeline timeline) {
      this.timeline = timeline;
      return this;
    }

    /** The operator's controls; the alter adds a {@code cut-over} action (cut over now). */
    public Builder controls(RuntimeControls controls) {
      this.controls = controls;
      return this;
    }

    AlterSettings settings() {
      return new AlterSettings(
          source,
          table,
          spec,
          workers,
          chunkRows,
          chunkTime,
          maxApplyLag,
          postponeCutOverFlagFile,
          cutOverLockTimeout,
          dropOldTable,
          resume,
          pauseFile,
          maxThreadsRunning,
          maxRowsPerSecond,
          throttleQuery,
          serverId);
    }

    public AlterJob build() {
      return new AlterJob(this);
    }
  }
}
