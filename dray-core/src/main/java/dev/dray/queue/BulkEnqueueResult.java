package dev.dray.queue;

/**
 * What a bulk enqueue did.
 *
 * @param submitted jobs read from the source
 * @param inserted jobs added (the rest had an idempotency key already queued)
 * @param shards databases filled
 * @param seconds wall time
 * @param enqueueId the identity of a hold-table enqueue (null without a hold table)
 * @param earlier jobs of {@code inserted} that earlier runs of the same enqueue had added
 * @param finishedBefore the enqueue had finished before on every shard: nothing was added now
 */
public record BulkEnqueueResult(
    long submitted,
    long inserted,
    int shards,
    double seconds,
    String enqueueId,
    long earlier,
    boolean finishedBefore) {
  public BulkEnqueueResult(long submitted, long inserted, int shards, double seconds) {
    this(submitted, inserted, shards, seconds, null, 0, false);
  }

  public long duplicates() {
    return submitted - inserted;
  }

  public double jobsPerSecond() {
    return seconds <= 0 ? 0 : (inserted - earlier) / seconds;
  }
}
