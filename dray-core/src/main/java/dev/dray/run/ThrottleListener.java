package dev.dray.run;

/**
 * Hears when a {@link Throttler} holds workers back and why: for reports and live status. Called on
 * worker threads; implementations must be thread-safe and quick.
 */
public interface ThrottleListener {
  ThrottleListener NONE = new ThrottleListener() {};

  /** At least one worker waits now, or the reason it waits changed. */
  default void throttled(String reason) {}

  /** No worker waits any more. */
  default void cleared() {}

  /** The calling worker waited {@code nanos} and goes on now (called on that worker's thread). */
  default void workerResumed(long nanos) {}

  /**
   * A worker wrote {@code rows} rows (the throttler hears this for its rate limit; a timeline uses
   * it to count the rows of the task running on the calling thread).
   */
  default void rowsWritten(long rows) {}
}
