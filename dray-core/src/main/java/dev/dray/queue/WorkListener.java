package dev.dray.queue;

import java.util.List;

/** Observes a worker pool (the benchmark counts with it). Called on worker threads: be quick. */
public interface WorkListener {
  WorkListener NONE = new WorkListener() {};

  /** A claim returned {@code jobs} (possibly none) after {@code claimNanos}. */
  default void claimed(List<ClaimedJob> jobs, long claimNanos) {}

  /** These jobs' completion committed. */
  default void completed(List<ClaimedJob> jobs) {}
}
