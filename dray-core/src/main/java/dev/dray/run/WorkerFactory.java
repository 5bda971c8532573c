package dev.dray.run;

/** Creates the workers of a job, one per thread, each with its own resources. */
@FunctionalInterface
public interface WorkerFactory<T> {
  Worker<T> create(int workerIndex, Cancellation cancellation) throws Exception;
}
