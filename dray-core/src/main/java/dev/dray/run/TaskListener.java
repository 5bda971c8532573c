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

  /** The task ended unfinished: it failed for good, or failed once the job was cancelled. */
  default void failed(T task, int workerIndex, int attempts, long nanos, Throwable failure) {}

  /** This listener, then {@code other}. */
  default TaskListener<T> andThen(TaskListener<T> other) {
    TaskListener<T> first = this;
    return new TaskListener<>() {
      @Override
      public void started(T task, int workerIndex) {
        first.started(task, workerIndex);
        other.started(task, workerIndex);
      }

      @Override
      public void retrying(T task, int workerIndex, int attempt, Throwable failure) {
        first.retrying(task, workerIndex, attempt, failure);
        other.retrying(task, workerIndex, attempt, failure);
      }

      @Override
      public void finished(T task, int workerIndex, int attempts, long nanos) {
        first.finished(task, workerIndex, attempts, nanos);
        other.finished(task, workerIndex, attempts, nanos);
      }

      @Override
      public void failed(T task, int workerIndex, int attempts, long nanos, Throwable failure) {
        first.failed(task, workerIndex, attempts, nanos, failure);
        other.failed(task, workerIndex, attempts, nanos, failure);
      }
    };
  }
}
