package dev.dray.report;

import dev.dray.queue.ClaimedJob;
import dev.dray.queue.WorkListener;
import dev.dray.run.TaskListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds a {@link JobTimeline} from {@code dray queue work}'s workers: each claimed batch is a task
 * on its worker's lane, from its claim to the commit that completed it (rows: the jobs completed).
 * A worker thread gets its lane when it first claims; the samples count the jobs completed.
 */
public final class QueueWorkTimeline implements WorkListener {
  private final TaskListener<List<ClaimedJob>> tasks;
  private final AtomicInteger lanes = new AtomicInteger();
  private final ThreadLocal<Integer> lane = ThreadLocal.withInitial(lanes::getAndIncrement);
  private final ThreadLocal<List<ClaimedJob>> open = new ThreadLocal<>();
  private final AtomicLong completed = new AtomicLong();

  /**
   * @param timeline the timeline to feed; its samples count completed jobs from now on
   * @param queue the queue's name (the bars' colour)
   */
  public QueueWorkTimeline(JobTimeline timeline, String queue) {
    this.tasks = timeline.taskListener(QueueWorkTimeline::describe, batch -> queue, List::size);
    timeline.sampleRows(completed::get);
  }

  private static String describe(List<ClaimedJob> batch) {
    return batch.size() == 1
        ? "job " + batch.get(0).id()
        : batch.size()
            + " jobs, ids "
            + batch.get(0).id()
            + " .. "
            + batch.get(batch.size() - 1).id();
  }

  @Override
  public void claimed(List<ClaimedJob> jobs, long claimNanos) {
    List<ClaimedJob> previous = open.get();
    if (previous != null) {
      // none of that batch completed (failed, or handed back): it ends with no rows
      tasks.finished(List.of(), lane.get(), 1, 0);
      open.remove();
    }
    if (!jobs.isEmpty()) {
      open.set(jobs);
      tasks.started(jobs, lane.get());
    }
  }

  @Override
  public void completed(List<ClaimedJob> jobs) {
    completed.addAndGet(jobs.size());
    List<ClaimedJob> batch = open.get();
    if (batch != null) {
      open.remove();
      tasks.finished(jobs, lane.get(), 1, 0);
    }
  }
}
