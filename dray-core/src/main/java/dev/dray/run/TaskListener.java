package dev.dray.run;

/** Hears what the worker pool does with each task: for progress bars, reports and tests. */
public interface TaskListener<T> {
  TaskListener<Object> NONE = new TaskListener<>() {};

  @SuppressWarnings("unchecked")
  static <T> TaskListener<T> none() {
    return (TaskListener<T>) NONE;
  }

  default void started(T task, int workerIndex) {}

  default void retrying(T task, int workerIndex, int attempt, Throwable failure) {}

  default void finished(T task, int workerIndex, int attempts, long nanos) {}
}
