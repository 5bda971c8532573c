package dev.dray.run;

import static java.util.Objects.requireNonNull;

/**
 * A worker that waits for its job's {@link Throttler} before each task: the throttle check of jobs
 * whose tasks are their chunks (a load's partitions and key ranges).
 */
public final class ThrottledWorker<T> implements Worker<T> {
  private final Worker<T> worker;
  private final Throttler throttler;
  private final Cancellation cancellation;

  public ThrottledWorker(Worker<T> worker, Throttler throttler, Cancellation cancellation) {
    this.worker = requireNonNull(worker, "worker is null");
    this.throttler = requireNonNull(throttler, "throttler is null");
    this.cancellation = requireNonNull(cancellation, "cancellation is null");
  }

  @Override
  public void process(T task) throws Exception {
    throttler.awaitClear(cancellation);
    worker.process(task);
  }

  @Override
  public void recover(Exception failure) throws Exception {
    worker.recover(failure);
  }

  @Override
  public void close() throws Exception {
    worker.close();
  }
}
