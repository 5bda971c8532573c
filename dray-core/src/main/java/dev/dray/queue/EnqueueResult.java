package dev.dray.queue;

/**
 * What an enqueue did.
 *
 * @param submitted jobs given
 * @param inserted jobs added to the queue; the rest had an idempotency key already queued
 */
public record EnqueueResult(long submitted, long inserted) {
  public EnqueueResult {
    if (inserted > submitted || inserted < 0) {
      throw new IllegalArgumentException("inserted " + inserted + " of " + submitted);
    }
  }

  public long duplicates() {
    return submitted - inserted;
  }

  public EnqueueResult plus(EnqueueResult other) {
    return new EnqueueResult(submitted + other.submitted, inserted + other.inserted);
  }
}
