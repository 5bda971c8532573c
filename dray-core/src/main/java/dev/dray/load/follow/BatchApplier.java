package dev.dray.load.follow;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.BinlogPosition;
import dev.dray.db.TableName;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Applies batches on a thread of its own, one at a time, while the follower goes on reading and
 * folding the next batch: the commit of one batch overlaps the reading of the next, and the next
 * batch holds everything that came meanwhile (group commit). At most one batch is in flight; {@link
 * #submit} waits for the one before.
 */
final class BatchApplier implements AutoCloseable {
  /** What applying a batch does: in the follower, one DuckDB transaction. */
  @FunctionalInterface
  interface Apply {
    void apply(ChangeBatch batch, BinlogPosition reached, Set<TableName> reload);
  }

  /**
   * An applied batch.
   *
   * @param batch what was applied
   * @param reached the position the tables are current to after it
   * @param visible when its transaction committed
   * @param applySeconds how long the apply took
   */
  record Applied(ChangeBatch batch, BinlogPosition reached, Instant visible, double applySeconds) {
    /** From the source commit of the batch's oldest change to visible; -1 without changes. */
    double freshnessSeconds() {
      return batch.hasChanges()
          ? Duration.between(batch.oldestCommit(), visible).toNanos() / 1e9
          : -1;
    }
  }

  private final Apply apply;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "dray-follow-apply");
            thread.setDaemon(true);
            return thread;
          });
  private CompletableFuture<Applied> inFlight;

  BatchApplier(Apply apply) {
    this.apply = apply;
  }

  /** Whether a batch is being applied. */
  boolean busy() {
    return inFlight != null && !inFlight.isDone();
  }

  /** Starts applying {@code batch}; the caller has {@link #finished harvested} the one before. */
  void submit(ChangeBatch batch, BinlogPosition reached, Set<TableName> reload) {
    if (inFlight != null) {
      throw new IllegalStateException("a batch is still in flight");
    }
    inFlight =
        CompletableFuture.supplyAsync(
            () -> {
              long started = System.nanoTime();
              apply.apply(batch, reached, reload);
              Instant visible = Instant.now();
              return new Applied(batch, reached, visible, (System.nanoTime() - started) / 1e9);
            },
            executor);
  }

  /** The batch in flight once it has been applied (then nothing is in flight), else null. */
  Applied finished() {
    return inFlight != null && inFlight.isDone() ? await() : null;
  }

  /** Waits for the batch in flight; null when none was. Throws its failure. */
  Applied await() {
    if (inFlight == null) {
      return null;
    }
    CompletableFuture<Applied> waiting = inFlight;
    inFlight = null;
    try {
      return waiting.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DrayException dray) {
        throw dray;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(ErrorCode.INTERRUPTED, "interrupted while applying a batch", e);
    }
  }

  /** Waits for the batch in flight, if any, ignoring its failure (the caller is failing anyway). */
  void awaitQuietly(Throwable failing) {
    try {
      await();
    } catch (RuntimeException e) {
      if (failing != null && failing != e) {
        failing.addSuppressed(e);
      }
    }
  }

  @Override
  public void close() {
    awaitQuietly(null);
    executor.shutdown();
  }
}
