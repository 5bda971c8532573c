package dev.dray.copy;

import dev.dray.plan.KeyRange;
import dev.dray.run.Frontier;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The frontier of a copy with what the checkpoint row needs (last range, rows copied).
 *
 * <p>Checkpoints are written inside the transaction of the chunk that moves the frontier, so a
 * chunk's rows and the checkpoint that covers them commit together. Before committing, the chunk
 * asks {@link #preview}: only the chunk at the frontier gets a position, which also covers chunks
 * above it that committed earlier. After its commit it calls {@link #complete}. A chunk that
 * completes between another's preview and complete only makes the stored checkpoint lag behind the
 * in-memory frontier, never pass an unfinished chunk.
 */
final class CheckpointTracker {
  private record Done(KeyRange range, long rows) {}

  private final Frontier<Done> frontier;
  private final Map<Long, Done> pending = new HashMap<>();
  private FrontierPosition position;

  CheckpointTracker(FrontierPosition start) {
    this.position = start;
    this.frontier = new Frontier<>(start.sequence() + 1);
  }

  /**
   * The position the frontier would reach if chunk {@code sequence} completed now, or empty if it
   * would not move (the chunk is above a gap).
   */
  synchronized Optional<FrontierPosition> preview(long sequence, KeyRange range, long rows) {
    if (sequence != frontier.nextExpected()) {
      return Optional.empty();
    }
    long last = sequence;
    KeyRange lastRange = range;
    long total = position.rowsCopied() + rows;
    for (Done next = pending.get(last + 1); next != null; next = pending.get(last + 1)) {
      last++;
      lastRange = next.range();
      total += next.rows();
    }
    return Optional.of(new FrontierPosition(last, lastRange, total));
  }

  /** Records a committed chunk; returns the new position if the frontier moved. */
  synchronized Optional<FrontierPosition> complete(long sequence, KeyRange range, long rows) {
    Done done = new Done(range, rows);
    Optional<Frontier.Advance<Done>> advance = frontier.complete(sequence, done);
    if (advance.isEmpty()) {
      pending.put(sequence, done);
      return Optional.empty();
    }
    long total = position.rowsCopied() + rows;
    for (long s = position.sequence() + 1; s <= advance.get().lastContiguous(); s++) {
      if (s != sequence) {
        total += pending.remove(s).rows();
      }
    }
    position =
        new FrontierPosition(advance.get().lastContiguous(), advance.get().result().range(), total);
    return Optional.of(position);
  }

  synchronized FrontierPosition position() {
    return position;
  }

  /** Chunks finished above a gap. */
  synchronized int pendingCount() {
    return pending.size();
  }
}
