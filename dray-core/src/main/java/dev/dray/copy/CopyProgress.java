package dev.dray.copy;

/**
 * A snapshot of a running copy, for progress lines.
 *
 * @param rowsCopied rows inserted so far in this run
 * @param estimatedRows the source's row estimate
 * @param chunksDone chunks finished
 * @param frontierSequence the last contiguous finished chunk
 * @param pendingChunks finished chunks waiting above a gap
 * @param chunkRows the current chunk size
 * @param seconds time since the workers started
 * @param throttleReason why workers are held back now, or null
 * @param throttledSeconds time held back so far
 */
public record CopyProgress(
    long rowsCopied,
    long estimatedRows,
    long chunksDone,
    long frontierSequence,
    int pendingChunks,
    long chunkRows,
    double seconds,
    String throttleReason,
    double throttledSeconds) {
  public double rowsPerSecond() {
    return seconds <= 0 ? 0 : rowsCopied / seconds;
  }

  /** Seconds left at the current rate, or -1 when unknown. */
  public double etaSeconds() {
    double rate = rowsPerSecond();
    if (rate <= 0 || estimatedRows <= 0) {
      return -1;
    }
    return Math.max(0, (estimatedRows - rowsCopied) / rate);
  }
}
