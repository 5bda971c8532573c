package dev.dray.run;

import dev.dray.db.SqlErrors;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Which failures are worth another attempt, how many attempts a task gets, and how long to wait
 * between them (exponential backoff with jitter).
 *
 * @param maxAttempts attempts per task including the first (1 = no retry)
 * @param initialBackoff the wait before the second attempt
 * @param maxBackoff the longest wait
 * @param retryable which failures to retry
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Predicate<Throwable> retryable) {
  /** No retries at all. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ZERO, Duration.ZERO, t -> false);

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  /** Deadlocks, lock wait timeouts and lost connections, {@code maxAttempts} times. */
  public static RetryPolicy transientSqlErrors(int maxAttempts) {
    return new RetryPolicy(
        maxAttempts, Duration.ofMillis(100), Duration.ofSeconds(5), SqlErrors::isTransient);
  }

  /**
   * Whether attempt number {@code attempt} (1-based) that failed with {@code failure} may be
   * retried.
   */
  public boolean shouldRetry(Throwable failure, int attempt) {
    return attempt < maxAttempts && retryable.test(failure);
  }

  /** The wait after the {@code attempt}-th failure: doubling, capped, with up to 50% jitter. */
  public Duration backoff(int attempt) {
    long base = initialBackoff.toMillis() << Math.min(20, Math.max(0, attempt - 1));
    long capped = Math.min(base, maxBackoff.toMillis());
    long jitter = capped <= 1 ? 0 : ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    return Duration.ofMillis(capped / 2 + jitter);
  }
}
