package dev.dray.run;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.SqlErrors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job's tasks on N named threads. Each thread creates its own {@link Worker} (own
 * connection, own snapshot) and claims tasks from the shared {@link TaskSource} until it is empty.
 * Transient failures are retried per the {@link RetryPolicy}; the first task that fails for good
 * cancels the whole job: every worker stops at its next check (abort hooks cut long reads short),
 * and {@link #run} throws one {@link DrayException} that names the task and the cause.
 *
 * <p>The number of workers may change while the pool runs ({@link #resize}, the status API's {@code
 * POST /workers?n=}): new workers start at once, and surplus workers stop between tasks (after the
 * task they are on), the highest-numbered first.
 */
public final class WorkerPool<T> {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

  private final String name;
  private final RetryPolicy retryPolicy;
  private final Sleeper sleeper;
  private final Function<T, String> describe;
  private final Object lock = new Object();
  private final Set<Integer> alive = new HashSet<>();
  private final List<Thread> threads = new ArrayList<>();
  private int workers;
  private Runnable starter;
  private boolean over;

  /**
   * @param name names the threads ({@code dray-NAME-worker-3}) and appears in log lines
   * @param workers how many threads
   * @param retryPolicy which failures get another attempt
   * @param sleeper waits between attempts
   * @param describe how a task is named in error messages
   */
  public WorkerPool(
      String name,
      int workers,
      RetryPolicy retryPolicy,
      Sleeper sleeper,
      Function<T, String> describe) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1");
    }
    this.name = requireNonNull(name, "name is null");
    this.workers = workers;
    this.retryPolicy = requireNonNull(retryPolicy, "retryPolicy is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.describe = requireNonNull(describe, "describe is null");
  }

  /**
   * Runs until every task is done, or the first failure, or external cancellation.
   *
   * @throws DrayException the first failure, naming its task; {@link ErrorCode#INTERRUPTED} when
   *     cancelled from outside
   */
  public void run(
      TaskSource<T> source,
      WorkerFactory<T> factory,
      Cancellation cancellation,
      TaskListener<T> listener) {
    synchronized (lock) {
      starter = () -> startMissingWorkers(source, factory, cancellation, listener);
      starter.run();
    }
    try {
      synchronized (lock) {
        while (!alive.isEmpty()) {
          lock.wait();
        }
        over = true;
      }
    } catch (InterruptedException e) {
      cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, name + " was interrupted"));
      List<Thread> started;
      synchronized (lock) {
        over = true;
        started = List.copyOf(threads);
      }
      started.forEach(Thread::interrupt);
      joinQuietly(started);
      Thread.currentThread().interrupt();
    }
    Throwable cause = cancellation.cause();
    if (cause != null) {
      throw cause instanceof DrayException dray
          ? dray
          : new DrayException(
              ErrorCode.TASK_FAILED, name + " failed: " + SqlErrors.describe(cause), cause);
    }
  }

  /** How many workers the pool runs (or will run, after a {@link #resize}). */
  public int workers() {
    synchronized (lock) {
      return workers;
    }
  }

  /**
   * Changes the number of workers: more start at once, surplus ones stop after their current task.
   * Before {@link #run} this sets the number it starts with; after it, nothing changes.
   *
   * @throws IllegalArgumentException when {@code count} is below 1
   */
  public void resize(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("workers must be at least 1");
    }
    synchronized (lock) {
      if (over) {
        return;
      }
      LOG.info("{}: workers {} -> {}", name, workers, count);
      workers = count;
      if (starter != null) {
        starter.run();
      }
    }
  }

  /** Starts a thread for every worker index below the target that has none (lock held). */
  private void startMissingWorkers(
      TaskSource<T> source,
      WorkerFactory<T> factory,
      Cancellation cancellation,
      TaskListener<T> listener) {
    for (int i = 0; i < workers; i++) {
      if (alive.add(i)) {
        int index = i;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    workLoop(index, source, factory, cancellation, listener);
                  } finally {
                    synchronized (lock) {
                      alive.remove(index);
                      lock.notifyAll();
                    }
                  }
                },
                "dray-" + name + "-worker-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }
  }

  /** Whether worker {@code index} is surplus after a resize; if so it leaves the live set. */
  private boolean surplus(int index) {
    synchronized (lock) {
      if (index < workers) {
        return false;
      }
      alive.remove(index);
      lock.notifyAll();
      return true;
    }
  }

  private void workLoop(
      int index,
      TaskSource<T> source,
      WorkerFactory<T> factory,
      Cancellation cancellation,
      TaskListener<T> listener) {
    Worker<T> worker;
    try {
      worker = factory.create(index, cancellation);
    } catch (Exception e) {
      cancellation.cancel(asDrayException(e, "worker " + index + " could not start"));
      return;
    }
    try (worker) {
      while (!cancellation.isCancelled() && !surplus(index)) {
        T task = source.next();
        if (task == null) {
          break;
        }
        if (!runTask(index, worker, task, cancellation, listener)) {
          break;
        }
      }
    } catch (InterruptedException e) {
      cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, name + " was interrupted"));
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // closing the worker failed, or the task source failed
      cancellation.cancel(asDrayException(e, name + " worker " + index));
    }
  }

  /** Runs one task with retries; returns false if the job must stop. */
  private boolean runTask(
      int index, Worker<T> worker, T task, Cancellation cancellation, TaskListener<T> listener)
      throws InterruptedException {
    listener.started(task, index);
    long started = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        worker.process(task);
        listener.finished(task, index, attempt, System.nanoTime() - started);
        return true;
      } catch (Exception failure) {
        if (cancellation.isCancelled()) {
          listener.failed(task, index, attempt, System.nanoTime() - started, failure);
          return false; // failures after cancellation are consequences, not causes
        }
        if (failure instanceof InterruptedException) {
          throw (InterruptedException) failure;
        }
        if (!retryPolicy.shouldRetry(failure, attempt)) {
          listener.failed(task, index, attempt, System.nanoTime() - started, failure);
          cancellation.cancel(
              asDrayException(
                  failure,
                  describe.apply(task)
                      + " failed"
                      + (attempt > 1 ? " after " + attempt + " attempts" : "")));
          return false;
        }
        LOG.debug(
            "{} attempt {} failed, retrying: {}",
            describe.apply(task),
            attempt,
            SqlErrors.describe(failure));
        listener.retrying(task, index, attempt, failure);
        sleeper.sleep(retryPolicy.backoff(attempt));
        try {
          worker.recover(failure);
        } catch (Exception recoverFailure) {
          recoverFailure.addSuppressed(failure);
          if (!retryPolicy.shouldRetry(recoverFailure, attempt + 1)) {
            cancellation.cancel(
                asDrayException(
                    recoverFailure, describe.apply(task) + " failed and could not recover"));
            return false;
          }
        }
      }
    }
  }

  private static DrayException asDrayException(Throwable failure, String context) {
    if (failure instanceof DrayException dray) {
      return new DrayException(dray.code(), context + ": " + dray.getMessage(), dray);
    }
    ErrorCode code =
        SqlErrors.isAccessDenied(failure) ? ErrorCode.ACCESS_DENIED : ErrorCode.TASK_FAILED;
    return new DrayException(code, context + ": " + SqlErrors.describe(failure), failure);
  }

  private static void joinQuietly(List<Thread> threads) {
    for (Thread thread : threads) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
