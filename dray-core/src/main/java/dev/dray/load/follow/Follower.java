package dev.dray.load.follow;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.change.ChangeStream;
import dev.dray.change.ChangeTransaction;
import dev.dray.change.SchemaChange;
import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import dev.dray.load.FollowTable;
import dev.dray.load.FollowTarget;
import dev.dray.load.LoadListener;
import dev.dray.run.Cancellation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a loaded DuckDB file current from the source's binary log: reads the followed tables'
 * changes from the position stored in the file, folds them per key into batches that end at source
 * commits, and applies each batch together with the position it reaches in one DuckDB transaction
 * ({@link FollowTarget#apply}). A batch is applied when the apply interval has passed, when {@link
 * FollowSettings#maxBatchBytes} are buffered, or at once when the reader has caught up (with a
 * shared file: at the interval only, since each apply reopens the file). Batches are applied on the
 * {@link BatchApplier}'s thread while the next one is read: a batch that becomes due while a commit
 * is in flight keeps growing until that commit is done (only a full buffer waits for it).
 *
 * <p>It runs until the cancellation fires or {@link FollowSettings#followFor} has passed, then
 * applies what it has read and stores the position. A schema change on a followed table reloads
 * that table from a fresh snapshot (or stops, as {@link FollowSettings.OnSchemaChange#FAIL} asks).
 */
public final class Follower {
  private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
  private static final Duration LONGEST_WAIT = Duration.ofMillis(100);
  private static final Duration IN_FLIGHT_WAIT = Duration.ofMillis(2);
  private static final int POLL_MAX = 1_000;
  private static final int DRAIN_MAX = 1_000_000;
  private static final long REOPEN_RETRY_MILLIS = 5;

  /** Reloads one table from a fresh snapshot and records its new floor; returns its new shape. */
  @FunctionalInterface
  public interface Reloader {
    FollowTable reload(TableName table);
  }

  private final ConnectionConfig source;
  private final Path file;
  private final Map<TableName, FollowTable> tables;
  private final FollowSettings settings;
  private final Cancellation cancellation;
  private final LoadListener listener;
  private final Reloader reloader;

  private final Map<TableName, BinlogPosition> floors = new HashMap<>();
  private final Freshness freshness = new Freshness();
  private final List<String> schemaChanges = new ArrayList<>();
  private long batches;
  private long transactions;
  private long changesApplied;
  private long rowsWritten;
  private int reloads;
  private boolean started;

  public Follower(
      ConnectionConfig source,
      Path file,
      List<FollowTable> tables,
      FollowSettings settings,
      Cancellation cancellation,
      LoadListener listener,
      Reloader reloader) {
    this.source = source;
    this.file = file;
    this.tables = new LinkedHashMap<>();
    for (FollowTable table : tables) {
      this.tables.put(table.source(), table);
    }
    this.settings = settings;
    this.cancellation = cancellation;
    this.listener = listener;
    this.reloader = reloader;
  }

  /** Follows until stopped; throws {@link DrayException} when it cannot go on. */
  public FollowResult run() {
    long started = System.nanoTime();
    long deadline =
        settings.followFor() == null ? Long.MAX_VALUE : started + settings.followFor().toNanos();
    FollowTarget target = FollowTarget.open(file);
    try {
      FollowTarget.State state = readState(target);
      BinlogPosition start = state.position();
      BinlogPosition position = start;
      for (FollowTarget.TableState table : state.tables().values()) {
        if (table.reload()) {
          reload(target, table.source(), "an earlier run stopped before reloading it");
        }
      }
      state = readState(target);
      state.tables().values().forEach(t -> floors.put(t.source(), t.floor()));
      String stoppedBecause;
      while (true) {
        Outcome outcome = followFrom(target, position, deadline);
        position = outcome.position();
        if (outcome.stoppedBecause() != null) {
          stoppedBecause = outcome.stoppedBecause();
          break;
        }
      }
      return new FollowResult(
          start,
          position,
          transactions,
          changesApplied,
          rowsWritten,
          batches,
          reloads,
          freshness.percentile(50),
          freshness.percentile(99),
          freshness.max(),
          (System.nanoTime() - started) / 1e9,
          stoppedBecause,
          schemaChanges);
    } finally {
      target.close();
    }
  }

  private FollowTarget.State readState(FollowTarget target) {
    reopen(target);
    return target
        .state()
        .orElseThrow(
            () ->
                new DrayException(
                    ErrorCode.TARGET_UNAVAILABLE,
                    file
                        + " holds no followed load (no binlog position): run dray load --follow"
                        + " without --resume to load and follow afresh"));
  }

  /** Where a stream run ended, and why it stopped (null: a reload, go on from the position). */
  private record Outcome(BinlogPosition position, String stoppedBecause) {}

  private Outcome followFrom(FollowTarget target, BinlogPosition start, long deadline) {
    reopen(target);
    target.prepare(tables.values());
    if (settings.shareFile()) {
      target.release(); // readers may open it until the first batch
    }
    ChangeStream.Builder builder = ChangeStream.builder().source(source).start(start);
    tables.keySet().forEach(builder::table);
    floors.forEach(builder::tableFloor);
    if (settings.serverId() != 0) {
      builder.serverId(settings.serverId());
    }
    BinlogPosition position = start;
    BatchApplier applier =
        new BatchApplier((batch, reached, reload) -> write(target, batch, reached, reload));
    Throwable failing = null;
    try (ChangeStream stream = builder.build().open()) {
      if (!started) {
        started = true;
        listener.followStarted(start);
      }
      ChangeBatch batch = newBatch();
      long batchStarted = System.nanoTime();
      while (true) {
        report(applier.finished());
        String stop = stopReason(deadline);
        List<ChangeTransaction> read;
        try {
          if (stop != null) {
            read = stream.poll(DRAIN_MAX, Duration.ZERO);
          } else {
            long left = settings.applyInterval().toNanos() - (System.nanoTime() - batchStarted);
            long wait = batch.isEmpty() ? LONGEST_WAIT.toNanos() : Math.max(0, left);
            if (applier.busy()) {
              // a due batch waits for the commit in flight: notice its end soon, without spinning
              wait = IN_FLIGHT_WAIT.toNanos();
            }
            read = stream.poll(POLL_MAX, Duration.ofNanos(Math.min(wait, LONGEST_WAIT.toNanos())));
          }
        } catch (DrayException failure) {
          report(applier.await());
          Optional<SchemaChange> change = stream.schemaChange();
          if (change.isEmpty()) {
            if (!batch.isEmpty()) {
              apply(applier, batch, batch.end(), Set.of()); // whole transactions: keep them
            }
            throw failure;
          }
          return onSchemaChange(applier, target, batch, change.get());
        }
        read.forEach(batch::add);
        transactions += read.size();
        if (!batch.isEmpty()) {
          position = batch.end();
        }
        boolean due = System.nanoTime() - batchStarted >= settings.applyInterval().toNanos();
        boolean full = batch.bytes() >= settings.maxBatchBytes();
        boolean caughtUp = !settings.shareFile() && batch.hasChanges() && stream.drained();
        // with a shared file, a batch that only moves the position waits: each apply reopens it
        boolean worthIt = batch.hasChanges() || !settings.shareFile();
        if (!batch.isEmpty() && (stop != null || (worthIt && (due || full || caughtUp)))) {
          if (applier.busy() && stop == null && !full) {
            continue; // coalesce: what comes while a commit is in flight joins this batch
          }
          report(applier.await()); // stopping, or 64 MB buffered: wait for the commit before
          applier.submit(batch, batch.end(), Set.of());
          batch = newBatch();
          batchStarted = System.nanoTime();
        } else if (batch.isEmpty() && due) {
          batchStarted = System.nanoTime();
        }
        if (stop != null) {
          report(applier.await());
          return new Outcome(position, stop);
        }
      }
    } catch (RuntimeException | Error e) {
      failing = e;
      throw e;
    } finally {
      applier.awaitQuietly(failing); // never leave a transaction running on the file
      applier.close();
    }
  }

  private ChangeBatch newBatch() {
    return new ChangeBatch(tables, floors);
  }

  private String stopReason(long deadline) {
    if (cancellation.isCancelled()) {
      return "signal";
    }
    if (System.nanoTime() >= deadline) {
      return "follow-for";
    }
    return null;
  }

  /** Applies one batch now (after the one in flight) and reports it. */
  private void apply(
      BatchApplier applier, ChangeBatch batch, BinlogPosition reached, Set<TableName> reload) {
    report(applier.await());
    applier.submit(batch, reached, reload);
    report(applier.await());
  }

  /** One batch into DuckDB, on the applier's thread; with a shared file, opened just for it. */
  private void write(
      FollowTarget target, ChangeBatch batch, BinlogPosition reached, Set<TableName> reload) {
    reopen(target);
    target.apply(batch.rowsByTable(), reached, reload);
    if (settings.shareFile()) {
      target.release();
    }
  }

  /** Counts an applied batch and tells the listener; nothing for null. */
  private void report(BatchApplier.Applied applied) {
    if (applied == null) {
      return;
    }
    ChangeBatch batch = applied.batch();
    long rows = batch.rowCount();
    double fresh = applied.freshnessSeconds();
    if (batch.hasChanges()) {
      batches++;
      freshness.add(fresh);
    }
    changesApplied += batch.changes();
    rowsWritten += rows;
    listener.batchApplied(
        new BatchReport(
            batches,
            batch.transactions(),
            batch.changes(),
            rows,
            applied.reached(),
            fresh,
            applied.applySeconds(),
            changesApplied));
  }

  private Outcome onSchemaChange(
      BatchApplier applier, FollowTarget target, ChangeBatch batch, SchemaChange change) {
    BinlogPosition floor = floors.get(change.table());
    boolean alreadyReloaded = floor != null && change.end().compareTo(floor) <= 0;
    if (alreadyReloaded) {
      // the table's current rows were read after this statement: nothing to redo
      apply(applier, batch, change.end(), Set.of());
      return new Outcome(change.end(), null);
    }
    String statement = abbreviate(change.sql());
    if (settings.onSchemaChange() == FollowSettings.OnSchemaChange.FAIL) {
      BinlogPosition reached = batch.isEmpty() ? change.start() : batch.end();
      if (!batch.isEmpty()) {
        apply(applier, batch, reached, Set.of());
      }
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "schema change on followed table "
              + change.table()
              + " at "
              + change.start().coordinates()
              + " ("
              + statement
              + "): stopped as --on-ddl fail asks; the tables are current to "
              + reached.coordinates()
              + "; load again without --resume (or follow with --on-ddl reload)");
    }
    apply(applier, batch, change.end(), Set.of(change.table()));
    schemaChanges.add(change.table() + ": " + statement);
    reload(target, change.table(), statement);
    FollowTarget.State state = readState(target);
    state.tables().values().forEach(t -> floors.put(t.source(), t.floor()));
    return new Outcome(change.end(), null);
  }

  private void reload(FollowTarget target, TableName table, String why) {
    LOG.info("reloading {} from a fresh snapshot: {}", table, why);
    listener.reloading(table, why);
    target.release();
    FollowTable reloaded = reloader.reload(table);
    tables.put(table, reloaded);
    reloads++;
  }

  /** Opens the file again after it was released for readers, waiting while one holds it. */
  private void reopen(FollowTarget target) {
    while (!target.tryReopen()) {
      try {
        Thread.sleep(REOPEN_RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DrayException(ErrorCode.INTERRUPTED, "interrupted while reopening " + file, e);
      }
    }
  }

  private static String abbreviate(String sql) {
    String flat = sql.replaceAll("\\s+", " ").trim();
    return flat.length() > 120 ? flat.substring(0, 120) + "..." : flat;
  }
}
