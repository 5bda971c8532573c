package dev.dray.queue;

/**
 * What a bulk enqueue did.
 *
 * @param submitted jobs read from the source
 * @param inserted jobs added (the rest had an idempotency key already queued)
 * @param shards databases filled
 * @param seconds wall time
 */
public record BulkEnqueueResult(long submitted, long inserted, int shards, double seconds) {
  public long duplicates() {
    return submitted - inserted;
  }

  public double jobsPerSecond() {
    return seconds <= 0 ? 0 : inserted / seconds;
  }
}
