package dev.dray.run;

import java.util.Optional;
import java.util.TreeMap;

/**
 * The checkpoint position of a job whose tasks finish out of order. Tasks carry monotone sequence
 * numbers; the frontier advances only over the contiguous prefix of finished ones. A task that
 * finishes above a gap waits in a pending set until the gap fills, so a checkpoint taken at the
 * frontier never passes a task that has not finished: a crash and resume leaves no hole.
 *
 * @param <R> what a finished task reports (its range, its row count), kept for the checkpoint
 */
public final class Frontier<R> {
  private final TreeMap<Long, R> pending = new TreeMap<>();
  private long nextExpected;
  private R lastResult;

  /**
   * @param firstSequence the sequence number of the first task not yet done
   */
  public Frontier(long firstSequence) {
    this.nextExpected = firstSequence;
  }

  /**
   * Records that task {@code sequence} finished. Returns the new frontier if it moved: the highest
   * sequence number below which every task has finished, with that task's result.
   */
  public synchronized Optional<Advance<R>> complete(long sequence, R result) {
    if (sequence < nextExpected || pending.containsKey(sequence)) {
      throw new IllegalStateException(
          "task " + sequence + " completed twice (frontier at " + nextExpected + ")");
    }
    pending.put(sequence, result);
    boolean moved = false;
    while (!pending.isEmpty() && pending.firstKey() == nextExpected) {
      lastResult = pending.pollFirstEntry().getValue();
      nextExpected++;
      moved = true;
    }
    return moved ? Optional.of(new Advance<>(nextExpected - 1, lastResult)) : Optional.empty();
  }

  /** The sequence number of the first task not known to be finished. */
  public synchronized long nextExpected() {
    return nextExpected;
  }

  /** How many finished tasks wait above a gap. */
  public synchronized int pendingCount() {
    return pending.size();
  }

  /**
   * The frontier moved.
   *
   * @param lastContiguous every task up to and including this sequence number has finished
   * @param result what that task reported
   */
  public record Advance<R>(long lastContiguous, R result) {}
}
