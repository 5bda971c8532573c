package dev.dray.run;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator may change while a job runs (the live status server's control API): pause and
 * resume, the rate limit, the chunk size, and named actions a job registers (for example "cut-over"
 * for an online schema change). Workers see every change between chunks: the pause and the rate
 * limit act through {@link #throttleCondition()}, the chunk size through the setter the job binds.
 * Every change is logged and told to the change listeners (a timeline records it for the report).
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
    if (pausedBy == null) {
      pausedBy = "paused by the operator";
      changed("throttle: workers pause before their next chunk");
    }
  }

  public void resume() {
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

  private void changed(String what) {
    LOG.info("control: {}", what);
    for (Consumer<String> listener : changeListeners) {
      listener.accept(what);
    }
  }
}
