package dev.dray.run;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stop signal shared by one job's workers. The first {@link #cancel} wins and records why; it
 * also runs the registered abort hooks (for example closing a worker's connection so that a long
 * read stops within a second instead of running to its end).
 */
public final class Cancellation {
  private static final Logger LOG = LoggerFactory.getLogger(Cancellation.class);

  private final AtomicReference<Throwable> cause = new AtomicReference<>();
  private final List<Runnable> abortHooks = new CopyOnWriteArrayList<>();

  /** Cancels with a cause; returns true if this call was the first. */
  public boolean cancel(Throwable why) {
    if (!cause.compareAndSet(null, why)) {
      return false;
    }
    for (Runnable hook : abortHooks) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.debug("abort hook failed: {}", e.toString());
      }
    }
    return true;
  }

  public boolean isCancelled() {
    return cause.get() != null;
  }

  /** Why the job was cancelled, or null. */
  public Throwable cause() {
    return cause.get();
  }

  /** Runs {@code hook} on cancellation (at once if already cancelled). */
  public void onCancel(Runnable hook) {
    abortHooks.add(hook);
    if (isCancelled()) {
      hook.run();
    }
  }

  public void removeOnCancel(Runnable hook) {
    abortHooks.remove(hook);
  }
}
