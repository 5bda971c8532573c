package dev.dray.load;

import dev.dray.db.BinlogPosition;
import dev.dray.db.TableName;
import dev.dray.load.follow.BatchReport;
import dev.dray.plan.Task;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Hears a load's progress: for progress bars, logs and tests. Called from worker threads. */
public interface LoadListener {
  LoadListener NONE = new LoadListener() {};

  /**
   * The plan is ready.
   *
   * @param tasks the tasks this run will do (on resume: those not done before)
   * @param workers the workers that will run them
   * @param tasksAlreadyDone tasks an earlier, interrupted run finished
   */
  default void planned(List<Task> tasks, int workers, int tasksAlreadyDone) {}

  /** Workers start; {@code rowsLoaded} counts rows as they stream (for rows/s). */
  default void started(AtomicLong rowsLoaded) {}

  /** A task's rows are committed. */
  default void taskFinished(TaskReport report) {}

  /** Every task is done; the staging tables are about to replace the targets. */
  default void publishing() {}

  /** Follow mode: the binlog position of the snapshot was recorded while the tables were locked. */
  default void snapshotPosition(BinlogPosition position) {}

  /** Follow mode: the change stream starts reading at {@code position}. */
  default void followStarted(BinlogPosition position) {}

  /** Follow mode: a batch of changes is committed and visible (with its freshness). */
  default void batchApplied(BatchReport report) {}

  /** Follow mode: a schema change makes follow reload {@code table} from a fresh snapshot. */
  default void reloading(TableName table, String statement) {}
}
