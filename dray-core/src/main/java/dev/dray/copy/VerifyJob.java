package dev.dray.copy;

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
import dev.dray.plan.KeyRange;
import dev.dray.plan.Task;
import dev.dray.report.JobTimeline;
import dev.dray.run.BoundedTaskSource;
import dev.dray.run.Cancellation;
import dev.dray.run.JobLock;
import dev.dray.run.RetryPolicy;
import dev.dray.run.Sleeper;
import dev.dray.run.TaskListener;
import dev.dray.run.WorkerPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compares a source and a target table chunk by chunk, in parallel: row count plus an
 * order-independent checksum per key range, computed on each server ({@link RowChecksum}); for the
 * ranges that differ it lists the differing keys. Run it on quiet tables: rows written while it
 * runs show up as differences.
 *
 * <pre>{@code
 * VerifyResult result = VerifyJob.builder()
 *     .source(ConnectionConfig.of("jdbc:mariadb://127.0.0.1:3306/shop?user=root"))
 *     .sourceTable(TableName.parse("shop.orders"))
 *     .targetTable(TableName.parse("shop.orders_copy"))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class VerifyJob {
  public static final long DEFAULT_CHUNK_ROWS = 5000;
  public static final int DEFAULT_MAX_KEYS = 1000;

  private final ConnectionConfig source;
  private final TableName sourceTable;
  private final ConnectionConfig target;
  private final TableName targetTable;
  private final int workers;
  private final long chunkRows;
  private final int maxKeys;
  private final JobTimeline timeline;

  private VerifyJob(Builder builder) {
    if (builder.source == null || builder.sourceTable == null || builder.targetTable == null) {
      throw DrayException.usage("verify needs a source, a source table and a target table");
    }
    if (builder.workers < 1 || builder.workers > CopySettings.MAX_WORKERS) {
      throw DrayException.usage(
          "workers must be between 1 and " + CopySettings.MAX_WORKERS + ", not " + builder.workers);
    }
    if (builder.chunkRows < 1) {
      throw DrayException.usage("chunk size must be positive, not " + builder.chunkRows);
    }
    this.source = builder.source;
    this.sourceTable = builder.sourceTable;
    this.target = builder.target == null ? builder.source : builder.target;
    this.targetTable = builder.targetTable;
    this.workers = builder.workers;
    this.chunkRows = builder.chunkRows;
    this.maxKeys = Math.max(0, builder.maxKeys);
    this.timeline = builder.timeline;
    if (timeline != null) {
      Map<String, Object> used = new LinkedHashMap<>();
      used.put("source", source.safeUrl());
      used.put("sourceTable", sourceTable.toString());
      used.put("target", target.safeUrl());
      used.put("targetTable", targetTable.toString());
      used.put("workers", workers);
      used.put("chunkRows", chunkRows);
      used.put("maxKeys", maxKeys);
      timeline.settings(used);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public VerifyResult run() {
    return run(new Cancellation());
  }

  /**
   * Compares the tables. Holds the lock a copy into the target table takes ({@link
   * dev.dray.run.JobLock}), so verify refuses while such a copy runs (it would see rows in flight)
   * and no copy starts while it compares.
   */
  public VerifyResult run(Cancellation cancellation) {
    long started = System.nanoTime();
    try (JobLock lock = takeLock(cancellation);
        Connection sourceConnection = Connections.open(source);
        Connection targetConnection = openTarget()) {
      Dialect dialect = Dialects.detect(sourceConnection);
      TableInspector sourceInspector = new TableInspector(sourceConnection);
      if (sourceInspector.isView(sourceTable)) {
        throw new DrayException(
            ErrorCode.UNSUPPORTED_SCHEMA,
            "source "
                + sourceTable
                + " is a view, not a table: verify compares tables in primary-key chunks; verify"
                + " the view's base table (SHOW CREATE VIEW "
                + sourceTable
                + " names it)");
      }
      TableInfo sourceInfo = sourceInspector.inspect(sourceTable);
      if (!sourceInfo.hasKey()) {
        throw new DrayException(
            ErrorCode.UNSUPPORTED_SCHEMA,
            "source table "
                + sourceTable
                + " has no primary key or unique NOT NULL key: it cannot be verified in key ranges");
      }
      TableInspector targetInspector = new TableInspector(targetConnection);
      if (!targetInspector.exists(targetTable)) {
        throw new DrayException(
            ErrorCode.NOT_FOUND,
            "target table " + targetTable + " does not exist (or is not visible to this user)");
      }
      TableInfo targetInfo = targetInspector.inspect(targetTable);
      List<ColumnInfo> compared = comparedColumns(sourceInfo, targetInfo);
      List<String> columns = compared.stream().map(ColumnInfo::name).toList();
      List<String> keyColumns = sourceInfo.key().stream().map(ColumnInfo::name).toList();
      RowChecksum checksum = new RowChecksum(dialect, compared, keyColumns);

      AtomicLong chunks = new AtomicLong();
      AtomicLong sourceRows = new AtomicLong();
      AtomicLong targetRows = new AtomicLong();
      List<RangeDifference> ranges = Collections.synchronizedList(new ArrayList<>());
      List<KeyDifference> keys = Collections.synchronizedList(new ArrayList<>());
      AtomicLong keysFound = new AtomicLong();

      BoundedTaskSource<Task> tasks = new BoundedTaskSource<>(workers * 2, cancellation);
      ChunkProducer producer =
          new ChunkProducer(
              source,
              dialect,
              sourceTable,
              keyColumns,
              () -> chunkRows,
              cancellation,
              RetryPolicy.transientSqlErrors(CopySettings.DEFAULT_MAX_ATTEMPTS),
              Sleeper.SYSTEM);
      producer.start("verify", KeyRange.ALL, 0, tasks);
      if (timeline != null) {
        timeline.workers(workers);
        timeline.sampleRows(sourceRows::get);
        timeline.startSampling();
      }
      try {
        new WorkerPool<Task>(
                "verify",
                workers,
                RetryPolicy.transientSqlErrors(CopySettings.DEFAULT_MAX_ATTEMPTS),
                Sleeper.SYSTEM,
                Task::describe)
            .run(
                tasks,
                (index, c) ->
                    new VerifyWorker(
                        source,
                        target,
                        targetTable,
                        checksum,
                        keyColumns.size(),
                        outcome -> {
                          chunks.incrementAndGet();
                          sourceRows.addAndGet(outcome.sourceRows());
                          if (timeline != null) {
                            timeline.rowsWritten(outcome.sourceRows());
                          }
                          targetRows.addAndGet(outcome.targetRows());
                          if (outcome.difference() != null) {
                            ranges.add(outcome.difference());
                            for (KeyDifference key : outcome.keys()) {
                              if (keysFound.incrementAndGet() <= maxKeys) {
                                keys.add(key);
                              }
                            }
                          }
                        }),
                cancellation,
                timeline == null
                    ? TaskListener.none()
                    : timeline.taskListener(Task::describe, t -> t.table().toString(), null));
      } finally {
        producer.join();
      }
      List<RangeDifference> sortedRanges = new ArrayList<>(ranges);
      sortedRanges.sort(Comparator.comparing(RangeDifference::range));
      return new VerifyResult(
          sourceTable.toString(),
          targetTable.toString(),
          columns,
          chunks.get(),
          sourceRows.get(),
          targetRows.get(),
          sortedRanges,
          keys,
          keysFound.get() > maxKeys,
          workers,
          (System.nanoTime() - started) / 1e9);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "verify of "
              + sourceTable
              + " against "
              + targetTable
              + " failed: "
              + SqlErrors.describe(e),
          e);
    }
  }

  /**
   * Source columns that the target has as stored columns (generated ones are computed, not copied).
   */
  /**
   * The statements that would make the target equal to the source for the rows {@code result} lists
   * (at most its max keys: see {@link VerifyResult#keysTruncated}), as {@link FixStatements} writes
   * them; nothing is executed.
   */
  public List<String> fixStatements(VerifyResult result) {
    try (Connection sourceConnection = Connections.open(source);
        Connection targetConnection = openTarget()) {
      Dialect dialect = Dialects.detect(sourceConnection);
      TableInfo sourceInfo = new TableInspector(sourceConnection).inspect(sourceTable);
      List<ColumnInfo> columns =
          sourceInfo.columns().stream().filter(c -> result.columns().contains(c.name())).toList();
      return new FixStatements(
              dialect,
              sourceConnection,
              sourceTable,
              targetConnection,
              targetTable,
              columns,
              sourceInfo.key())
          .statements(result.differingKeys());
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot read the rows that differ between "
              + sourceTable
              + " and "
              + targetTable
              + ": "
              + SqlErrors.describe(e),
          e);
    }
  }

  private static List<ColumnInfo> comparedColumns(TableInfo sourceInfo, TableInfo targetInfo) {
    List<ColumnInfo> columns = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (ColumnInfo column : sourceInfo.columns()) {
      Optional<ColumnInfo> match = targetInfo.column(column.name());
      if (match.isEmpty()) {
        missing.add(column.name());
      } else if (!match.get().generated()) {
        columns.add(column);
      }
    }
    if (!missing.isEmpty()) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "target table "
              + targetInfo.name()
              + " lacks source columns "
              + missing
              + ": nothing to compare them with");
    }
    return columns;
  }

  private JobLock takeLock(Cancellation cancellation) {
    try {
      return JobLock.acquire(
          target,
          CopyJob.lockKey(targetTable),
          "verify of " + sourceTable + " against " + targetTable,
          "a copy into "
              + targetTable
              + " (or another verify of it) is running; verify when it has finished",
          JobLock.DEFAULT_HEARTBEAT,
          cancellation::cancel);
    } catch (DrayException e) {
      throw e.code() == ErrorCode.TARGET_UNAVAILABLE
          ? e
          : new DrayException(e.code(), "target: " + e.getMessage(), e);
    }
  }

  private Connection openTarget() {
    try {
      return Connections.open(target);
    } catch (DrayException e) {
      throw new DrayException(e.code(), "target: " + e.getMessage(), e);
    }
  }

  /** Builds a {@link VerifyJob}. */
  public static final class Builder {
    private ConnectionConfig source;
    private TableName sourceTable;
    private ConnectionConfig target;
    private TableName targetTable;
    private int workers = CopySettings.DEFAULT_WORKERS;
    private long chunkRows = DEFAULT_CHUNK_ROWS;
    private int maxKeys = DEFAULT_MAX_KEYS;
    private JobTimeline timeline;

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

    /** Lists at most this many differing keys. */
    public Builder maxKeys(int maxKeys) {
      this.maxKeys = maxKeys;
      return this;
    }

    /** Records the run's chunks over time (for an HTML report). */
    public Builder timeline(JobTimeline timeline) {
      this.timeline = timeline;
      return this;
    }

    public VerifyJob build() {
      return new VerifyJob(this);
    }
  }
}
