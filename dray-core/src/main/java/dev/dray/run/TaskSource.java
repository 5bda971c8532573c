package dev.dray.run;

/** Where workers get their next task. Implementations are safe for concurrent use. */
public interface TaskSource<T> {
  /**
   * The next task, or null when there are no more. May block (for a producer that is still
   * planning) but returns null promptly once the job is cancelled.
   */
  T next() throws InterruptedException;
}
