package dev.dray.copy;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.change.BinlogPreconditions;
import dev.dray.change.ChangeStream;
import dev.dray.change.FollowedTable;
import dev.dray.db.BinlogPosition;
import dev.dray.db.ColumnInfo;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.db.TableName;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import dev.dray.run.Cancellation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of a table in use: the chunk copy of {@link CopyJob} plus the change stream of the
 * source's binary log applied to the target while and after the chunks copy, until the target has
 * caught up (and with {@code follow}, until told to stop).
 *
 * <p>The stream starts at a position read under a brief {@code LOCK TABLES ... READ} on the source,
 * so every transaction logged before it is visible to the chunk reads and every one after it comes
 * through the stream. Changes are applied by the rule of {@link ChangeRouter}: at once for keys
 * whose chunk has committed, held (last image per key) for the others until their chunk commits.
 * The target holds the copy frontier ({@code _dray_checkpoint}) and the stream position ({@code
 * _dray_binlog_position}), each written in the transaction of the rows it covers, so {@code resume}
 * continues both after a crash. See docs/ONLINE.md.
 *
 * <pre>{@code
 * OnlineCopyResult result = OnlineCopy.builder()
 *     .copy(CopyJob.builder().source(config).sourceTable(t).targetTable(t2).workers(4))
 *     .build()
 *     .run(new Cancellation(), OnlineCopyListener.NONE);
 * }</pre>
 */
public final class OnlineCopy {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineCopy.class);
  public static final Duration DEFAULT_MAX_APPLY_LAG = Duration.ofSeconds(2);
  private static final Duration WAIT_STEP = Duration.ofMillis(20);

  private final CopyJob.Builder copy;
  private final boolean follow;
  private final Duration maxApplyLag;
  private final Path stopFile;
  private final long serverId;
  private final Clock clock;
  private final CaughtUpHandler whenCaughtUp;

  private OnlineCopy(Builder builder) {
    this.copy = builder.copy;
    this.follow = builder.follow;
    this.maxApplyLag = builder.maxApplyLag;
    this.stopFile = builder.stopFile;
    this.serverId = builder.serverId;
    this.clock = builder.clock;
    this.whenCaughtUp = builder.whenCaughtUp;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies, applies until caught up, and with {@code follow} keeps applying until {@code
   * cancellation} fires or the stop file appears; throws {@link DrayException} on failure with both
   * checkpoints valid for a resume.
   */
  public OnlineCopyResult run(Cancellation cancellation, OnlineCopyListener listener) {
    long started = System.nanoTime();
    CopyJob job = copy.build();
    CopySettings settings = job.settings();
    ColumnMapping mapping = job.alterMapping();
    Start start = prepare(settings);
    ChangeStream stream =
        ChangeStream.builder()
            .source(settings.source())
            .table(settings.sourceTable())
            .start(start.position)
            .serverId(serverId)
            .build()
            .open();
    try (stream) {
      FollowedTable followed = stream.tables().get(settings.sourceTable());
      TableApplier tableApplier = tableApplier(settings, followed, start, mapping);
      OnlineApplier applier =
          new OnlineApplier(
              stream,
              followed,
              tableApplier,
              start.frontier,
              clock,
              failure -> cancellation.cancel(failure));
      try (tableApplier) {
        applier.start();
        listener.applying(start.position, progressOf(applier));
        CopyResult copied = copyChunks(settings, applier, cancellation, listener);
        applier.frontier(CopyFrontier.ALL);
        BinlogPosition end = currentPosition(settings);
        awaitCaughtUp(applier, end, cancellation);
        BinlogPosition consistent = later(applier.appliedPosition(), end);
        listener.caughtUp(consistent);
        LOG.info("{}: caught up at {}", settings.jobId(), consistent);
        if (whenCaughtUp != null) {
          whenCaughtUp.caughtUp(live(applier), cancellation);
          applier.abort(); // the table may be gone: apply nothing more
          return result(copied, start, applier.appliedPosition(), applier, false, started);
        }
        if (follow) {
          awaitStop(applier, cancellation);
        }
        applier.stop();
        if (follow) {
          consistent = applier.appliedPosition();
        }
        return result(copied, start, consistent, applier, follow, started);
      } catch (RuntimeException e) {
        applier.abort();
        throw e;
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "online copy of " + settings.sourceTable() + " failed: " + SqlErrors.describe(e),
          e);
    }
  }

  private static OnlineCopyResult result(
      CopyResult copied,
      Start start,
      BinlogPosition consistent,
      OnlineApplier applier,
      boolean followed,
      long startedNanos) {
    return new OnlineCopyResult(
        copied,
        start.position,
        consistent,
        applier.transactionsApplied(),
        applier.changesApplied(),
        applier.batches(),
        applier.maxLag().toMillis() / 1000.0,
        followed,
        (System.nanoTime() - startedNanos) / 1e9);
  }

  private static CaughtUpHandler.LiveApplier live(OnlineApplier applier) {
    return new CaughtUpHandler.LiveApplier() {
      @Override
      public boolean appliedThrough(BinlogPosition position) {
        return applier.caughtUp(position);
      }

      @Override
      public Duration lag() {
        return applier.lag();
      }

      @Override
      public void throwIfFailed() {
        applier.throwIfFailed();
      }

      @Override
      public Optional<Throwable> failure() {
        return applier.failure();
      }
    };
  }

  /**
   * Removes the stored frontier and binlog position of job {@code jobId} (its target table is gone
   * or finished), so that a later job of the same name starts afresh.
   */
  public static void forget(Connection target, String targetSchema, String jobId)
      throws SQLException {
    Dialect dialect = Dialects.detect(target);
    new CheckpointStore(dialect, targetSchema, jobId).delete(target);
    new BinlogPositionStore(dialect, targetSchema, jobId).delete(target);
  }

  /** Whether job {@code jobId} stored a binlog position in {@code targetSchema}. */
  public static boolean hasStoredPosition(Connection target, String targetSchema, String jobId)
      throws SQLException {
    return new BinlogPositionStore(Dialects.detect(target), targetSchema, jobId)
        .read(target)
        .isPresent();
  }

  private CopyResult copyChunks(
      CopySettings settings,
      OnlineApplier applier,
      Cancellation cancellation,
      OnlineCopyListener listener) {
    CopyJob job = copy.throttleCondition(applier.lagCondition(maxApplyLag)).build();
    try {
      return job.run(
          cancellation,
          new CopyListener() {
            @Override
            public void planned(CopyPlan plan) {
              listener.planned(plan);
            }

            @Override
            public void started(Supplier<CopyProgress> progress) {
              listener.started(progress);
            }

            @Override
            public void frontierAdvanced(FrontierPosition position) {
              applier.frontier(CopyFrontier.of(position));
              listener.frontierAdvanced(position);
            }
          });
    } catch (DrayException e) {
      applier.throwIfFailed(); // the applier's failure is the cause; the copy only stopped for it
      throw e;
    }
  }

  private static Supplier<ApplyProgress> progressOf(OnlineApplier applier) {
    return () ->
        new ApplyProgress(
            applier.transactionsApplied(),
            applier.changesApplied(),
            applier.held(),
            applier.lag().toMillis() / 1000.0,
            applier.appliedPosition());
  }

  private void awaitCaughtUp(OnlineApplier applier, BinlogPosition end, Cancellation cancellation) {
    while (!applier.caughtUp(end)) {
      if (cancellation.isCancelled()) {
        applier.throwIfFailed();
        throw new DrayException(
            ErrorCode.INTERRUPTED,
            "stopped before the copy caught up with the binary log; continue with --resume");
      }
      sleep(WAIT_STEP);
    }
  }

  private void awaitStop(OnlineApplier applier, Cancellation cancellation) {
    while (!cancellation.isCancelled() && (stopFile == null || !Files.exists(stopFile))) {
      applier.throwIfFailed();
      sleep(Duration.ofMillis(100));
    }
    applier.throwIfFailed();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(ErrorCode.INTERRUPTED, "interrupted", e);
    }
  }

  private static BinlogPosition later(BinlogPosition a, BinlogPosition b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private BinlogPosition currentPosition(CopySettings settings) {
    try (Connection source = Connections.open(settings.source())) {
      return BinlogPreconditions.currentPosition(source, Dialects.detect(source));
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot read the binlog position: " + SqlErrors.describe(e),
          e);
    }
  }

  /** Where the stream starts and how far the chunk copy already is. */
  private record Start(
      BinlogPosition position,
      CopyFrontier frontier,
      Dialect targetDialect,
      BinlogPositionStore positions) {}

  private Start prepare(CopySettings settings) {
    TableName sourceTable = settings.sourceTable();
    try (Connection source = Connections.open(settings.source());
        Connection target = Connections.open(settings.target())) {
      Dialect dialect = Dialects.detect(source);
      TableInfo sourceInfo = checkSource(source, dialect, sourceTable);
      TableInspector targetInspector = new TableInspector(target);
      if (!targetInspector.exists(settings.targetTable())) {
        throw new DrayException(
            ErrorCode.NOT_FOUND,
            "target table "
                + settings.targetTable()
                + " does not exist; create it first, e.g. CREATE TABLE "
                + settings.targetTable()
                + " LIKE "
                + sourceTable);
      }
      checkSameKey(sourceInfo, targetInspector.inspect(settings.targetTable()));
      Dialect targetDialect = Dialects.detect(target);
      String schema = settings.targetTable().schema();
      BinlogPositionStore positions =
          new BinlogPositionStore(targetDialect, schema, settings.jobId());
      CheckpointStore checkpoints = new CheckpointStore(targetDialect, schema, settings.jobId());
      positions.createTable(target);
      Optional<Checkpoint> checkpoint = checkpoints.read(target);
      if (settings.resume() && checkpoint.isEmpty()) {
        // killed before the copy wrote its first checkpoint: no chunk committed, start afresh
        LOG.info("{}: no checkpoint to resume from; starting afresh", settings.jobId());
      }
      if (settings.resume() && checkpoint.isPresent()) {
        Optional<BinlogPosition> stored = positions.read(target);
        if (stored.isEmpty()) {
          throw DrayException.usage(
              "no stored online copy "
                  + settings.jobId()
                  + " to resume (no row in "
                  + positions.table()
                  + "): start it without --resume");
        }
        BinlogPreconditions.checkStillAvailable(source, dialect, stored.get());
        CopyFrontier frontier =
            checkpoint.get().complete()
                ? CopyFrontier.ALL
                : CopyFrontier.of(checkpoint.get().position());
        if (!frontier.all()) {
          clearAbove(target, targetDialect, settings, checkpoint.get().position(), sourceInfo);
        }
        lockedPosition(source, dialect, sourceTable); // the rows logged so far are visible now
        LOG.info(
            "{}: resuming the online copy at {} with chunks after #{}",
            settings.jobId(),
            stored.get(),
            checkpoint.get().position().sequence());
        return new Start(stored.get(), frontier, targetDialect, positions);
      }
      Optional<Checkpoint> earlier = checkpoint;
      if (!settings.resume() && earlier.isPresent() && !earlier.get().finished()) {
        throw new DrayException(
            ErrorCode.TARGET_UNAVAILABLE,
            "an unfinished copy "
                + settings.jobId()
                + " has a checkpoint at chunk "
                + earlier.get().position().sequence()
                + " in "
                + checkpoints.table()
                + ": continue it with --resume (or delete its row to start over)");
      }
      if (hasRows(target, targetDialect, settings.targetTable())) {
        throw new DrayException(
            ErrorCode.TARGET_UNAVAILABLE,
            "target table "
                + settings.targetTable()
                + " is not empty: an online copy starts into an empty table (rows the change stream"
                + " never touches would stay stale); empty it, or continue an earlier run with --resume");
      }
      BinlogPosition position = lockedPosition(source, dialect, sourceTable);
      positions.write(target, position, 0);
      return new Start(position, CopyFrontier.NONE, targetDialect, positions);
    } catch (SQLException e) {
      throw new DrayException(
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
          "preparing the online copy of " + sourceTable + " failed: " + SqlErrors.describe(e),
          e);
    }
  }

  /**
   * Refuses a source whose changes cannot be followed: binary log off, not ROW, images not FULL, a
   * missing replication grant, no key to apply changes by, a key type the applier cannot order.
   * Returns the table's shape.
   */
  public static TableInfo checkSource(Connection source, Dialect dialect, TableName table)
      throws SQLException {
    BinlogPreconditions.check(source, dialect);
    TableInfo info = new TableInspector(source).inspect(table);
    if (!info.hasKey()) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "source table "
              + table
              + " has no primary key or unique key over NOT NULL columns: changes cannot be"
              + " applied by key; add a primary key");
    }
    KeyOrder.check(table.toString(), info.key());
    return info;
  }

  /**
   * The binlog position read while writes to the table are blocked: LOCK TABLES waits for every
   * transaction that wrote the table to finish, so all of them are in the log before the position
   * and visible to the chunk reads that follow.
   */
  private static BinlogPosition lockedPosition(Connection source, Dialect dialect, TableName table)
      throws SQLException {
    dialect.lockTablesForRead(source, List.of(table));
    try {
      return BinlogPreconditions.currentPosition(source, dialect);
    } finally {
      dialect.unlockTables(source);
    }
  }

  private static void checkSameKey(TableInfo source, TableInfo target) {
    List<String> sourceKey = source.key().stream().map(c -> c.name().toLowerCase()).toList();
    List<String> targetKey = target.key().stream().map(c -> c.name().toLowerCase()).toList();
    if (!sourceKey.equals(targetKey)) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "target table "
              + target.name()
              + " must have the source's key ("
              + String.join(", ", sourceKey)
              + ") to apply changes by key, but has ("
              + String.join(", ", targetKey)
              + ")");
    }
  }

  private static boolean hasRows(Connection connection, Dialect dialect, TableName table)
      throws SQLException {
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT 1 FROM " + dialect.quote(table) + " LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /**
   * Resume: rows above the stored frontier (chunks committed past a gap, changes applied to keys
   * the checkpoint did not cover yet) go, and are copied again from a fresh read.
   */
  private static void clearAbove(
      Connection target,
      Dialect dialect,
      CopySettings settings,
      FrontierPosition position,
      TableInfo sourceInfo)
      throws SQLException {
    KeyRange above =
        position.lastRange() == null
            ? KeyRange.ALL
            : new KeyRange(position.lastRange().upper(), null);
    List<String> key = sourceInfo.key().stream().map(ColumnInfo::name).toList();
    SqlFragment where = KeyPredicates.range(dialect, key, above);
    try (PreparedStatement ps =
        target.prepareStatement(
            "DELETE FROM " + dialect.quote(settings.targetTable()) + " WHERE " + where.sql())) {
      where.bind(ps, 1);
      int deleted = ps.executeUpdate();
      LOG.info(
          "{}: removed {} rows above the checkpoint, to copy them again",
          settings.jobId(),
          deleted);
    }
  }

  private TableApplier tableApplier(
      CopySettings settings, FollowedTable followed, Start start, ColumnMapping mapping)
      throws SQLException {
    Connection target =
        SessionConnections.open(settings.target(), settings.lockWaitTimeout(), true);
    try {
      TableInfo targetInfo = new TableInspector(target).inspect(settings.targetTable());
      List<String> names = new ArrayList<>();
      List<Integer> indexes = new ArrayList<>();
      List<ColumnInfo> columns = followed.columns();
      for (int i = 0; i < columns.size(); i++) {
        String name = columns.get(i).name();
        Optional<ColumnInfo> match =
            targetInfo.column(mapping == null ? name : mapping.targetName(name));
        if (match.isPresent() && !match.get().generated() && !columns.get(i).generated()) {
          names.add(match.get().name());
          indexes.add(i);
        }
      }
      return new TableApplier(
          target,
          start.targetDialect,
          settings.targetTable(),
          names,
          indexes.stream().mapToInt(Integer::intValue).toArray(),
          followed.keyColumns(),
          start.positions);
    } catch (SQLException | RuntimeException e) {
      target.close();
      throw e;
    }
  }

  /** Builds an {@link OnlineCopy}. */
  public static final class Builder {
    private CopyJob.Builder copy;
    private boolean follow;
    private Duration maxApplyLag = DEFAULT_MAX_APPLY_LAG;
    private Path stopFile;
    private long serverId;
    private Clock clock = Clock.systemUTC();
    private CaughtUpHandler whenCaughtUp;

    private Builder() {}

    /**
     * Runs {@code handler} once caught up, while changes keep being applied, instead of stopping
     * (or following); {@code dray alter} cuts over there.
     */
    public Builder whenCaughtUp(CaughtUpHandler handler) {
      this.whenCaughtUp = handler;
      return this;
    }

    /** The chunk copy: source, tables, workers, throttling, resume. */
    public Builder copy(CopyJob.Builder copy) {
      this.copy = requireNonNull(copy, "copy is null");
      return this;
    }

    /** Keep applying after catching up until cancelled or the stop file appears. */
    public Builder follow(boolean follow) {
      this.follow = follow;
      return this;
    }

    /** Pause the copy workers while the applier lags more than this (default 2s). */
    public Builder maxApplyLag(Duration maxApplyLag) {
      this.maxApplyLag = maxApplyLag;
      return this;
    }

    /** With {@code follow}: stop when this file exists. */
    public Builder stopFile(Path stopFile) {
      this.stopFile = stopFile;
      return this;
    }

    /** The replica server id the change stream announces (0: random). */
    public Builder serverId(long serverId) {
      this.serverId = serverId;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock is null");
      return this;
    }

    public OnlineCopy build() {
      if (copy == null) {
        throw DrayException.usage("an online copy needs the copy to run");
      }
      if (maxApplyLag == null || maxApplyLag.isNegative() || maxApplyLag.isZero()) {
        throw DrayException.usage("--max-apply-lag must be positive, not " + maxApplyLag);
      }
      if (whenCaughtUp != null && follow) {
        throw DrayException.usage("a caught-up handler and --follow exclude each other");
      }
      if (stopFile != null && !follow) {
        throw DrayException.usage("--stop-file needs --follow");
      }
      copy.build(); // validates the copy's settings now
      return new OnlineCopy(this);
    }
  }
}
