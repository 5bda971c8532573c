package dev.dray.run;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator may change while a job runs (the live status server's control API): pause and
 * resume, the rate limit, the chunk size, the number of workers, and named actions a job registers
 * (an online schema change offers "cut-over" and "postpone-cut-over", see {@link #offerCutOver()}).
 * Workers see every change between chunks: the pause and the rate limit act through {@link
 * #throttleCondition()}, the chunk size and the workers through the setters the job binds. A
 * control the job did not bind is refused (a usage error naming it), never silently ignored. Every
 * change is logged and told to the change listeners (a timeline records it for the report).
 */
public final class RuntimeControls {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeControls.class);

  private final List<Consumer<String>> changeListeners = new CopyOnWriteArrayList<>();
  private final Map<String, Runnable> actions = new LinkedHashMap<>();
  private final ThrottleConditions.RateLimit rateLimit;
  private volatile String pausedBy;
  private volatile boolean rateLimited;
  private volatile LongSupplier chunkRows;
  private volatile LongConsumer chunkRowsSetter;
  private volatile IntSupplier workers;
  private volatile IntConsumer workersSetter;
  private volatile boolean throttleBound;
  private volatile boolean cutOverRequested;
  private volatile boolean cutOverPostponed;

  /** The most workers an operator may ask for. */
  public static final int MAX_WORKERS = 256;

  /** The action that asks an online schema change to cut over now. */
  public static final String CUT_OVER = "cut-over";

  /** The action that holds an online schema change's cut-over until {@link #CUT_OVER}. */
  public static final String POSTPONE_CUT_OVER = "postpone-cut-over";

  public RuntimeControls() {
    this.rateLimit = new ThrottleConditions.RateLimit(1, System::nanoTime);
  }

  /** The job's configured rate limit (0: none), set when it starts; not an operator's change. */
  public void startingMaxRowsPerSecond(long rows) {
    if (rows > 0) {
      rateLimit.rowsPerSecond(rows);
    }
    rateLimited = rows > 0;
  }

  /** Whoever wants to hear about changes: one line per change. */
  public void onChange(Consumer<String> listener) {
    changeListeners.add(requireNonNull(listener, "listener is null"));
  }

  /** Holds every worker before its next chunk until {@link #resume()}. */
  public void pause() {
    requireThrottle("throttled");
    if (pausedBy == null) {
      pausedBy = "paused by the operator";
      changed("throttle: workers pause before their next chunk");
    }
  }

  public void resume() {
    requireThrottle("unthrottled");
    if (pausedBy != null) {
      pausedBy = null;
      changed("unthrottle: workers continue");
    }
  }

  public boolean paused() {
    return pausedBy != null;
  }

  /** Sets the rate limit in rows per second; 0 removes it. */
  public void maxRowsPerSecond(long rows) {
    requireThrottle("rate limited");
    if (rows < 0) {
      throw DrayException.usage("the rate limit must be 0 (none) or positive, not " + rows);
    }
    if (rows > 0) {
      rateLimit.rowsPerSecond(rows);
    }
    rateLimited = rows > 0;
    changed(rows > 0 ? "rate limit set to " + rows + " rows/s" : "rate limit removed");
  }

  /** The rate limit in rows per second, 0 for none. */
  public long maxRowsPerSecond() {
    return rateLimited ? rateLimit.rowsPerSecond() : 0;
  }

  /** The job binds its chunk size here; without a binding the chunk size cannot change. */
  public void bindChunkRows(LongSupplier current, LongConsumer setter) {
    this.chunkRows = requireNonNull(current, "current is null");
    this.chunkRowsSetter = requireNonNull(setter, "setter is null");
  }

  /** Sets the rows per chunk for the chunks planned from now on (adaptive sizing stops). */
  public void chunkRows(long rows) {
    LongConsumer setter = chunkRowsSetter;
    if (setter == null) {
      throw DrayException.usage("this job has no chunk size to change");
    }
    if (rows < 1) {
      throw DrayException.usage("the chunk size must be at least 1 row, not " + rows);
    }
    setter.accept(rows);
    changed("chunk size set to " + rows + " rows");
  }

  /** The current rows per chunk, or empty when the job has no chunk size. */
  public Optional<Long> chunkRows() {
    LongSupplier current = chunkRows;
    return current == null ? Optional.empty() : Optional.of(current.getAsLong());
  }

  /** The job binds its worker pool here; without a binding the number of workers cannot change. */
  public void bindWorkers(IntSupplier current, IntConsumer setter) {
    this.workers = requireNonNull(current, "current is null");
    this.workersSetter = requireNonNull(setter, "setter is null");
  }

  /**
   * Sets the number of workers: new ones start at once, surplus ones stop after their current
   * chunk.
   */
  public void workers(int count) {
    IntConsumer setter = workersSetter;
    if (setter == null) {
      throw DrayException.usage("this job's number of workers cannot change while it runs");
    }
    if (count < 1 || count > MAX_WORKERS) {
      throw DrayException.usage(
          "the number of workers must be between 1 and " + MAX_WORKERS + ", not " + count);
    }
    int before = workers.getAsInt();
    setter.accept(count);
    changed("workers set to " + count + " (were " + before + ")");
  }

  /** The current number of workers, or empty when the job did not bind its pool. */
  public OptionalInt workers() {
    IntSupplier current = workers;
    return current == null ? OptionalInt.empty() : OptionalInt.of(current.getAsInt());
  }

  /**
   * For an online schema change: offers the actions {@link #CUT_OVER} (cut over as soon as the job
   * is ready, even when postponed) and {@link #POSTPONE_CUT_OVER} (hold the cut-over until {@link
   * #CUT_OVER}). The job polls {@link #cutOverRequested()} and {@link #cutOverPostponed()} between
   * its steps; the controls only carry the operator's wish.
   *
   * @param postponed whether the cut-over starts postponed (such as {@code --postpone-cut-over})
   */
  public void offerCutOver(boolean postponed) {
    cutOverPostponed = postponed;
    registerAction(
        CUT_OVER,
        () -> {
          cutOverPostponed = false;
          cutOverRequested = true;
        });
    registerAction(POSTPONE_CUT_OVER, () -> cutOverPostponed = true);
  }

  /** Whether an operator asked for the cut-over now (stays true once asked). */
  public boolean cutOverRequested() {
    return cutOverRequested;
  }

  /** Whether the cut-over waits for an operator's {@link #CUT_OVER}. */
  public boolean cutOverPostponed() {
    return cutOverPostponed;
  }

  /** Registers a named action (such as "cut-over") that an operator may trigger. */
  public synchronized void registerAction(String name, Runnable action) {
    actions.put(requireNonNull(name, "name is null"), requireNonNull(action, "action is null"));
  }

  public synchronized List<String> actions() {
    return List.copyOf(actions.keySet());
  }

  /** Runs a registered action; a usage error when this job has no such action. */
  public void trigger(String name) {
    Runnable action;
    synchronized (this) {
      action = actions.get(name);
    }
    if (action == null) {
      throw DrayException.usage("this job has no action " + name + "; it has " + actions());
    }
    changed(name + " requested");
    action.run();
  }

  /** The condition that holds workers while paused or over the rate limit: add it to the job. */
  public ThrottleCondition throttleCondition() {
    throttleBound = true;
    return new ThrottleCondition() {
      @Override
      public boolean inline() {
        return true;
      }

      @Override
      public Optional<String> check() {
        String paused = pausedBy;
        if (paused != null) {
          return Optional.of(paused);
        }
        return rateLimited ? rateLimit.check() : Optional.empty();
      }

      @Override
      public void recordRows(long rows) {
        if (rateLimited) {
          rateLimit.recordRows(rows);
        }
      }
    };
  }

  private void requireThrottle(String what) {
    if (!throttleBound) {
      throw DrayException.usage("this job cannot be " + what + ": it has no throttle");
    }
  }

  private void changed(String what) {
    LOG.info("control: {}", what);
    for (Consumer<String> listener : changeListeners) {
      listener.accept(what);
    }
  }
}
