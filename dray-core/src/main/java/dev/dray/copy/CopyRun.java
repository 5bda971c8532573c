package dev.dray.copy;

import dev.dray.db.Dialect;
import dev.dray.db.TableInfo;
import dev.dray.run.Cancellation;
import dev.dray.run.Throttler;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the workers of one copy share: the plan, the frontier, the throttler and counters. Nothing
 * else is shared between workers.
 */
final class CopyRun {
  final CopySettings settings;
  final CopyMode mode;
  final Dialect dialect;
  final TableInfo sourceInfo;
  final CopyColumns columns;
  final CheckpointStore checkpoints;
  final CheckpointTracker tracker;
  final Throttler throttler;
  final ChunkSizer sizer;
  final Cancellation cancellation;
  final AtomicLong rowsCopied = new AtomicLong();
  final AtomicLong chunksDone = new AtomicLong();
  final AtomicLong retries = new AtomicLong();

  /** The frontier sequence this run last committed to the checkpoint table. */
  final AtomicLong lastStoredSequence;

  /** When the last checkpoint write committed (System.nanoTime), for the checkpoint interval. */
  final AtomicLong lastCheckpointNanos = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 4);

  CopyRun(
      CopySettings settings,
      CopyMode mode,
      Dialect dialect,
      TableInfo sourceInfo,
      CopyColumns columns,
      CheckpointStore checkpoints,
      CheckpointTracker tracker,
      Throttler throttler,
      ChunkSizer sizer,
      Cancellation cancellation) {
    this.settings = settings;
    this.mode = mode;
    this.dialect = dialect;
    this.sourceInfo = sourceInfo;
    this.columns = columns;
    this.checkpoints = checkpoints;
    this.tracker = tracker;
    this.throttler = throttler;
    this.sizer = sizer;
    this.cancellation = cancellation;
    this.lastStoredSequence = new AtomicLong(tracker.position().sequence());
  }
}
