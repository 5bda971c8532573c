package dev.dray.copy;

import java.time.Duration;

/**
 * Adapts the chunk size so each chunk takes about the target time: keeps a weighted moving average
 * of the observed rows per second (recent chunks weigh more, one slow chunk does not swing the
 * size) and sizes the next chunks to {@code rate × target}, within {@link #MIN_ROWS} and {@link
 * #MAX_ROWS}.
 */
final class ChunkSizer {
  static final long MIN_ROWS = 10;
  static final long MAX_ROWS = 100_000;

  /** Weight of the newest observation in the moving average. */
  static final double WEIGHT = 0.3;

  private final Duration target;
  private double rowsPerSecond = -1;
  private volatile long chunkRows;
  private volatile boolean fixedByOperator;

  /**
   * @param target the time per chunk, or null for a fixed size
   */
  ChunkSizer(long initialRows, Duration target) {
    this.chunkRows = initialRows;
    this.target = target;
  }

  boolean adaptive() {
    return target != null;
  }

  long chunkRows() {
    return chunkRows;
  }

  /** An operator's chunk size: holds from the next planned chunk on, and stops adapting. */
  void override(long rows) {
    fixedByOperator = true;
    chunkRows = Math.max(1, rows);
  }

  /** Records a finished chunk; returns the size for the next chunks. */
  synchronized long record(long rows, long nanos) {
    if (target == null || fixedByOperator || rows <= 0 || nanos <= 0) {
      return chunkRows;
    }
    double observed = rows / (nanos / 1e9);
    rowsPerSecond = rowsPerSecond < 0 ? observed : WEIGHT * observed + (1 - WEIGHT) * rowsPerSecond;
    long next = Math.round(rowsPerSecond * target.toNanos() / 1e9);
    chunkRows = Math.max(MIN_ROWS, Math.min(MAX_ROWS, next));
    return chunkRows;
  }
}
