package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import java.time.Duration;

/**
 * A job to enqueue.
 *
 * @param payload a JSON document (validated here, so a malformed payload never reaches the table)
 * @param priority lower runs first (0 is the default), as in Solid Queue
 * @param delay how long the job stays invisible after enqueue (zero: claimable at once)
 * @param maxAttempts attempts before the job becomes dead, or null for the queue's default
 * @param idempotencyKey a unique key: enqueueing the same key again while the job is in the queue
 *     is ignored, not an error; null for none
 */
public record NewJob(
    String payload, int priority, Duration delay, Integer maxAttempts, String idempotencyKey) {
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 191;

  public NewJob {
    requireNonNull(payload, "payload is null");
    requireNonNull(delay, "delay is null");
    Payloads.requireJson(payload);
    if (delay.isNegative()) {
      throw DrayException.usage("job delay must not be negative: " + delay);
    }
    if (maxAttempts != null && maxAttempts < 1) {
      throw DrayException.usage("max attempts must be at least 1, got " + maxAttempts);
    }
    if (idempotencyKey != null && idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw DrayException.usage(
          "idempotency key longer than " + MAX_IDEMPOTENCY_KEY_LENGTH + " characters");
    }
  }

  /** A job with default priority, no delay, the queue's max attempts and no idempotency key. */
  public static NewJob of(String payload) {
    return new NewJob(payload, 0, Duration.ZERO, null, null);
  }

  public NewJob withIdempotencyKey(String key) {
    return new NewJob(payload, priority, delay, maxAttempts, key);
  }

  public NewJob withPriority(int newPriority) {
    return new NewJob(payload, newPriority, delay, maxAttempts, idempotencyKey);
  }

  public NewJob withMaxAttempts(Integer attempts) {
    return new NewJob(payload, priority, delay, attempts, idempotencyKey);
  }

  public NewJob withDelay(Duration newDelay) {
    return new NewJob(payload, priority, newDelay, maxAttempts, idempotencyKey);
  }
}
