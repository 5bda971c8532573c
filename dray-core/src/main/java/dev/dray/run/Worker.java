package dev.dray.run;

/**
 * One worker of a job: owns its resources (a connection, a snapshot, an appender) for its whole
 * life and processes one task at a time. Never shared between threads.
 */
public interface Worker<T> extends AutoCloseable {
  /** Processes one task. Throwing fails the task (the pool decides about retries). */
  void process(T task) throws Exception;

  /** Called before a retry after a transient failure: reconnect, roll back, and so on. */
  default void recover(Exception failure) throws Exception {}

  @Override
  default void close() throws Exception {}
}
