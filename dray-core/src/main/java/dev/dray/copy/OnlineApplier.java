package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.change.ChangeStream;
import dev.dray.change.ChangeTransaction;
import dev.dray.change.FollowedTable;
import dev.dray.change.RowChange;
import dev.dray.db.BinlogPosition;
import dev.dray.db.SqlErrors;
import dev.dray.run.ThrottleCondition;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applier thread of an online copy: polls the change stream, routes each change by the copy
 * frontier ({@link ChangeRouter}), deduplicates per key (last image wins) and applies each batch
 * with the position it reaches in one target transaction ({@link TableApplier}). One thread, so
 * changes to a key are applied in log order.
 */
final class OnlineApplier implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineApplier.class);
  static final int MAX_TRANSACTIONS_PER_BATCH = 2000;
  static final Duration POLL = Duration.ofMillis(50);

  private final ChangeStream stream;
  private final FollowedTable table;
  private final TableApplier applier;
  private final ChangeRouter<List<Object>> router;
  private final Consumer<Throwable> onFailure;
  private final Clock clock;
  private final AtomicReference<CopyFrontier> frontier;
  private final AtomicReference<BinlogPosition> applied;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong transactionsApplied = new AtomicLong();
  private final AtomicLong changesApplied = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong lagMillis = new AtomicLong();
  private final AtomicLong maxLagMillis = new AtomicLong();
  private volatile long lastCommitMillis;
  private volatile boolean stopRequested;
  private volatile boolean aborted;
  private volatile boolean stopped;
  private Thread thread;

  OnlineApplier(
      ChangeStream stream,
      FollowedTable table,
      TableApplier applier,
      CopyFrontier start,
      Clock clock,
      Consumer<Throwable> onFailure) {
    this.stream = stream;
    this.table = table;
    this.applier = applier;
    this.router = new ChangeRouter<>(KeyOrder.INSTANCE, start);
    this.frontier = new AtomicReference<>(start);
    this.applied = new AtomicReference<>(stream.startPosition());
    this.clock = clock;
    this.onFailure = onFailure;
  }

  void start() {
    thread = new Thread(this, "dray-apply-" + table.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** The copy frontier moved: changes below it may now be applied (from the next batch on). */
  void frontier(CopyFrontier next) {
    frontier.accumulateAndGet(next, (a, b) -> b.atLeast(a, KeyOrder.INSTANCE) ? b : a);
  }

  @Override
  public void run() {
    try {
      while (!stopRequested) {
        cycle(stream.poll(MAX_TRANSACTIONS_PER_BATCH, POLL));
      }
      if (aborted) {
        return;
      }
      // stopping: apply everything read up to now (the reader goes on; its later reads wait)
      long readBeforeStop = stream.transactionsRead();
      while (transactionsApplied.get() < readBeforeStop && !aborted) {
        cycle(stream.poll(MAX_TRANSACTIONS_PER_BATCH, POLL));
      }
      cycle(List.of());
    } catch (SQLException | RuntimeException e) {
      Throwable failed =
          e instanceof SQLException sql
              ? new DrayException(
                  SqlErrors.isAccessDenied(sql)
                      ? ErrorCode.ACCESS_DENIED
                      : ErrorCode.TARGET_UNAVAILABLE,
                  "applying changes to "
                      + table.name()
                      + "'s copy failed: "
                      + SqlErrors.describe(sql),
                  sql)
              : e;
      failure.set(failed);
      LOG.debug("applier failed", failed);
      onFailure.accept(failed);
    } finally {
      stopped = true;
    }
  }

  private void cycle(List<ChangeTransaction> transactions) throws SQLException {
    Map<List<Object>, Optional<List<Object>>> ops = new TreeMap<>(KeyOrder.INSTANCE);
    for (Map.Entry<List<Object>, Optional<List<Object>>> released :
        router.advance(frontier.get())) {
      ops.put(released.getKey(), released.getValue());
    }
    long changes = 0;
    for (ChangeTransaction transaction : transactions) {
      for (RowChange change : transaction.changes()) {
        changes++;
        switch (change.kind()) {
          case INSERT ->
              route(ops, table.key(change.after()), Optional.of(change.after()), transaction);
          case DELETE -> route(ops, table.key(change.before()), Optional.empty(), transaction);
          case UPDATE -> {
            List<Object> before = table.key(change.before());
            List<Object> after = table.key(change.after());
            if (KeyOrder.INSTANCE.compare(before, after) != 0) {
              route(ops, before, Optional.empty(), transaction); // the key moved
            }
            route(ops, after, Optional.of(change.after()), transaction);
          }
        }
      }
    }
    if (transactions.isEmpty() && ops.isEmpty()) {
      return;
    }
    BinlogPosition reached =
        transactions.isEmpty() ? applied.get() : transactions.get(transactions.size() - 1).end();
    // a restart must read again every transaction with a change still held
    BinlogPosition durable =
        router.earliestHeldStart().map(BinlogPosition.class::cast).orElse(reached);
    applier.apply(ops, durable, changesApplied.get() + changes);
    applied.set(reached);
    changesApplied.addAndGet(changes);
    transactionsApplied.addAndGet(transactions.size());
    batches.incrementAndGet();
    if (!transactions.isEmpty()) {
      lastCommitMillis = transactions.get(transactions.size() - 1).commitTime().toEpochMilli();
      long lag = Math.max(0, clock.millis() - lastCommitMillis);
      lagMillis.set(lag);
      maxLagMillis.accumulateAndGet(lag, Math::max);
    }
  }

  private void route(
      Map<List<Object>, Optional<List<Object>>> ops,
      List<Object> key,
      Optional<List<Object>> image,
      ChangeTransaction transaction) {
    if (router.route(key, image, transaction.sequence(), transaction.start())) {
      ops.put(key, image);
    }
  }

  /**
   * Whether every transaction up to {@code position} is applied: the reader has passed it, nothing
   * read waits, and nothing is held.
   */
  boolean caughtUp(BinlogPosition position) {
    throwIfFailed();
    BinlogPosition read = stream.eventPosition();
    return read != null
        && read.compareTo(position) >= 0
        && transactionsApplied.get() == stream.transactionsRead()
        && router.heldCount() == 0
        && frontier.get().all();
  }

  /** Stops after applying everything read; waits for the thread. */
  void stop() {
    stopRequested = true;
    if (thread != null) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    throwIfFailed();
  }

  /** Stops at once, applying nothing more (the stored position stays valid). */
  void abort() {
    aborted = true;
    stopRequested = true;
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  void throwIfFailed() {
    Throwable cause = failure.get();
    if (cause instanceof DrayException dray) {
      throw new DrayException(dray.code(), dray.getMessage(), dray);
    }
    if (cause != null) {
      throw new DrayException(ErrorCode.INTERNAL, "the applier failed: " + cause, cause);
    }
  }

  Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  boolean stopped() {
    return stopped;
  }

  BinlogPosition appliedPosition() {
    return applied.get();
  }

  long changesApplied() {
    return changesApplied.get();
  }

  long transactionsApplied() {
    return transactionsApplied.get();
  }

  long batches() {
    return batches.get();
  }

  int held() {
    return router.heldCount();
  }

  /** Source commit to applied, of the last batch; 0 when nothing read waits. */
  Duration lag() {
    if (stream.drained() && transactionsApplied.get() == stream.transactionsRead()) {
      return Duration.ZERO;
    }
    long last = lastCommitMillis;
    return Duration.ofMillis(
        last == 0 ? lagMillis.get() : Math.max(lagMillis.get(), clock.millis() - last));
  }

  Duration maxLag() {
    return Duration.ofMillis(maxLagMillis.get());
  }

  /** Pauses the copy workers while the applier lags more than {@code max}: the log comes first. */
  ThrottleCondition lagCondition(Duration max) {
    return new ThrottleCondition() {
      @Override
      public Optional<String> check() {
        Duration lag = lag();
        return lag.compareTo(max) > 0
            ? Optional.of(
                String.format(
                    "apply lag %.1fs over --max-apply-lag %.1fs",
                    lag.toMillis() / 1000.0, max.toMillis() / 1000.0))
            : Optional.empty();
      }

      @Override
      public boolean inline() {
        return true;
      }
    };
  }
}
