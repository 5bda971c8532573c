package dev.dray.queue;

/**
 * What a worker pool did.
 *
 * @param processed jobs completed
 * @param failedAttempts attempts that threw (each retried later or dead)
 * @param dead jobs that became dead in this run
 * @param released claimed jobs given back unstarted at shutdown
 * @param handedBack running jobs interrupted when a graceful stop's grace period ran out and given
 *     back uncharged
 * @param claims claim transactions run (claim loops), including empty ones
 * @param seconds wall time
 * @param lockConflictsRetried deadlocks and lock wait timeouts retried internally
 */
public record WorkResult(
    long processed,
    long failedAttempts,
    long dead,
    long released,
    long handedBack,
    long claims,
    double seconds,
    long lockConflictsRetried) {
  public double jobsPerSecond() {
    return seconds <= 0 ? 0 : processed / seconds;
  }
}
