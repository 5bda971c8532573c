package dev.dray.run;

import java.util.Optional;

/**
 * One reason to pause a job's workers: the server is busy, a replica lags, an operator asked for a
 * pause. Checked by a {@link Throttler}; a condition owns whatever it needs (a connection) and
 * releases it on {@link #close()}.
 */
public interface ThrottleCondition extends AutoCloseable {
  /**
   * Why the job must pause now, or empty when it may run. A check that cannot be made (the replica
   * is unreachable) should throttle, with the reason, rather than throw: pausing is the safe side.
   */
  Optional<String> check();

  /**
   * Whether the check is cheap enough to run before every chunk (in-memory); otherwise the
   * throttler polls it in the background.
   */
  default boolean inline() {
    return false;
  }

  /**
   * Whether a reason from this condition stops the job instead of pausing it (gh-ost's {@code
   * --critical-load}): the {@link Throttler} cancels the job with it at the workers' next check.
   */
  default boolean critical() {
    return false;
  }

  /** Tells the condition that {@code rows} rows were just written (for rate limits). */
  default void recordRows(long rows) {}

  @Override
  default void close() {}
}
