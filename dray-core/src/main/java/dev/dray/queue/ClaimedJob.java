package dev.dray.queue;

import static java.util.Objects.requireNonNull;

/**
 * A job a worker holds a lease on.
 *
 * @param id the job's id (primary key)
 * @param payload the JSON payload
 * @param attempt which attempt this is (1 for the first)
 * @param maxAttempts attempts allowed before the job becomes dead
 * @param queuedMicros how long the job waited between enqueue (or its last retry becoming visible)
 *     and this claim, measured by the database's clock
 */
public record ClaimedJob(long id, String payload, int attempt, int maxAttempts, long queuedMicros) {
  public ClaimedJob {
    requireNonNull(payload, "payload is null");
  }

  /** Whether a failure now makes the job dead instead of retrying it. */
  public boolean lastAttempt() {
    return attempt >= maxAttempts;
  }
}
