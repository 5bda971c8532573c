package dev.dray.run;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A task source fed by a producer that plans while the workers run (for example a keyset walk over
 * a big table). The queue is bounded, so the producer stays only a few tasks ahead and adaptive
 * sizing takes effect quickly; workers block while the producer is behind, and see the end once the
 * producer {@link #finish finished} and the queue is drained.
 */
public final class BoundedTaskSource<T> implements TaskSource<T> {
  private static final long POLL_MILLIS = 100;

  private final BlockingQueue<T> queue;
  private final Cancellation cancellation;
  private volatile boolean finished;

  public BoundedTaskSource(int capacity, Cancellation cancellation) {
    this.queue = new ArrayBlockingQueue<>(Math.max(1, capacity));
    this.cancellation = cancellation;
  }

  /**
   * Adds a task, waiting while the queue is full. Returns false (dropping the task) once the job is
   * cancelled, so a producer stops promptly.
   */
  public boolean put(T task) throws InterruptedException {
    while (!cancellation.isCancelled()) {
      if (queue.offer(task, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }

  /** No more tasks will be added. */
  public void finish() {
    finished = true;
  }

  @Override
  public T next() throws InterruptedException {
    while (!cancellation.isCancelled()) {
      boolean wasFinished = finished;
      T task = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      if (task != null) {
        return task;
      }
      if (wasFinished) {
        return queue.poll();
      }
    }
    return null;
  }
}
