package dev.dray.load;

import dev.dray.plan.Task;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Hears a load's progress: for progress bars and logs. */
public interface LoadListener {
  LoadListener NONE = new LoadListener() {};

  /** The plan is ready. */
  default void planned(List<Task> tasks, int workers) {}

  /** Workers start; {@code rowsLoaded} counts rows as they stream (for rows/s). */
  default void started(AtomicLong rowsLoaded) {}

  default void taskFinished(TaskReport report) {}
}
