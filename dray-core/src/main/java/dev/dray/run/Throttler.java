package dev.dray.run;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses a job's workers while any {@link ThrottleCondition} holds. Conditions that need a query
 * are polled by one background thread (so N workers do not run N status queries per chunk); cheap
 * ones are checked inline. Workers call {@link #awaitClear} between chunks: they wait, they never
 * die. The throttler counts the wall time during which at least one worker was held back.
 */
public final class Throttler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Throttler.class);

  /** How often polled conditions are checked by default. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);

  /** How long a held-back worker waits before it looks again. */
  static final Duration WAIT_STEP = Duration.ofMillis(50);

  private final List<ThrottleCondition> polled = new ArrayList<>();
  private final List<ThrottleCondition> inline = new ArrayList<>();
  private final List<ThrottleCondition> critical = new ArrayList<>();
  private final Duration pollInterval;
  private final Sleeper sleeper;
  private final LongSupplier nanoTime;
  private final Object lock = new Object();

  private volatile String polledReason;
  private volatile String criticalReason;
  private volatile String lastReason;
  private volatile boolean closed;
  private volatile ThrottleListener listener = ThrottleListener.NONE;
  private Thread poller;
  private int waiting;
  private long waitingSince;
  private long throttledNanos;

  public Throttler(
      List<ThrottleCondition> conditions,
      Duration pollInterval,
      Sleeper sleeper,
      LongSupplier nanoTime) {
    for (ThrottleCondition condition : conditions) {
      (condition.critical() ? critical : condition.inline() ? inline : polled).add(condition);
    }
    this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
    this.sleeper = requireNonNull(sleeper, "sleeper is null");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
  }

  public Throttler(List<ThrottleCondition> conditions) {
    this(conditions, DEFAULT_POLL_INTERVAL, Sleeper.SYSTEM, System::nanoTime);
  }

  /** A throttler that never throttles. */
  public static Throttler none() {
    return new Throttler(List.of());
  }

  /** Checks the polled conditions once now and then starts the background poller. */
  public void start() {
    if (polled.isEmpty() && critical.isEmpty()) {
      return;
    }
    criticalReason = checkAll(critical);
    polledReason = checkAll(polled);
    poller = new Thread(this::pollLoop, "dray-throttler");
    poller.setDaemon(true);
    poller.start();
  }

  private void pollLoop() {
    while (!closed) {
      try {
        sleeper.sleep(pollInterval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (!closed) {
        criticalReason = checkAll(critical);
        polledReason = checkAll(polled);
      }
    }
  }

  private static String checkAll(List<ThrottleCondition> conditions) {
    for (ThrottleCondition condition : conditions) {
      Optional<String> reason;
      try {
        reason = condition.check();
      } catch (RuntimeException e) {
        reason = Optional.of("throttle check failed: " + e.getMessage());
      }
      if (reason.isPresent()) {
        return reason.get();
      }
    }
    return null;
  }

  /** Who hears about throttled intervals and written rows (reports, live status). */
  public void listener(ThrottleListener newListener) {
    this.listener = requireNonNull(newListener, "listener is null");
  }

  /** Why workers are held back right now, or empty. */
  public Optional<String> currentReason() {
    String reason = polledReason;
    if (reason == null && !inline.isEmpty()) {
      reason = checkAll(inline);
    }
    return Optional.ofNullable(reason);
  }

  /** Whether any worker is waiting right now. */
  public boolean isThrottling() {
    synchronized (lock) {
      return waiting > 0;
    }
  }

  /** The last reason that held a worker back (for progress lines), or null. */
  public String lastReason() {
    return lastReason;
  }

  /**
   * Returns when no condition holds; until then waits in short steps. Returns early when the job is
   * cancelled.
   */
  public void awaitClear(Cancellation cancellation) throws InterruptedException {
    stopIfCritical(cancellation);
    Optional<String> reason = currentReason();
    if (reason.isEmpty()) {
      return;
    }
    long waitStarted = nanoTime.getAsLong();
    beginWait(reason.get());
    try {
      String previous = null;
      while (reason.isPresent() && !cancellation.isCancelled() && !closed) {
        lastReason = reason.get();
        if (!reason.get().equals(previous)) {
          LOG.debug("throttled: {}", reason.get());
          if (previous != null) {
            listener.throttled(reason.get());
          }
          previous = reason.get();
        }
        sleeper.sleep(WAIT_STEP);
        stopIfCritical(cancellation);
        reason = currentReason();
      }
    } finally {
      endWait();
      listener.workerResumed(nanoTime.getAsLong() - waitStarted);
    }
  }

  /**
   * Cancels the job when a {@link ThrottleCondition#critical() critical} condition holds, and
   * throws the reason (the worker's task ends there; the job's failure is that reason).
   */
  private void stopIfCritical(Cancellation cancellation) {
    String reason = criticalReason;
    if (reason != null) {
      DrayException stop =
          new DrayException(
              ErrorCode.TASK_FAILED,
              "stopped at critical load: "
                  + reason
                  + "; what is done is kept: run it again with --resume once the load is down");
      cancellation.cancel(stop);
      throw stop;
    }
  }

  /** The reason a critical condition gives right now (stops the job), or null. */
  public String criticalReason() {
    return criticalReason;
  }

  /** Tells the rate conditions that rows were written. */
  public void recordRows(long rows) {
    listener.rowsWritten(rows);
    for (ThrottleCondition condition : inline) {
      condition.recordRows(rows);
    }
    for (ThrottleCondition condition : polled) {
      condition.recordRows(rows);
    }
  }

  private void beginWait(String reason) {
    synchronized (lock) {
      if (waiting++ == 0) {
        waitingSince = nanoTime.getAsLong();
      }
      listener.throttled(reason);
    }
  }

  private void endWait() {
    synchronized (lock) {
      if (--waiting == 0) {
        throttledNanos += nanoTime.getAsLong() - waitingSince;
        listener.cleared();
      }
    }
  }

  /** Wall time during which at least one worker was held back, including an ongoing wait. */
  public Duration throttledTime() {
    synchronized (lock) {
      long total = throttledNanos + (waiting > 0 ? nanoTime.getAsLong() - waitingSince : 0);
      return Duration.ofNanos(total);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (poller != null) {
      poller.interrupt();
      try {
        poller.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (ThrottleCondition condition : polled) {
      condition.close();
    }
    for (ThrottleCondition condition : inline) {
      condition.close();
    }
    for (ThrottleCondition condition : critical) {
      condition.close();
    }
  }
}
