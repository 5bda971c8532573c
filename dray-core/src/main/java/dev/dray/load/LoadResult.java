package dev.dray.load;

import dev.dray.db.BinlogPosition;
import dev.dray.load.follow.FollowResult;
import java.nio.file.Path;
import java.util.List;

/**
 * What a finished load did.
 *
 * @param target the DuckDB file
 * @param tables the target tables written (one per source table)
 * @param rows rows in the published tables (on resume: including those an earlier run loaded)
 * @param rowsThisRun rows this run loaded
 * @param tasks tasks in the plan
 * @param tasksSkipped tasks already done by an earlier run (resume)
 * @param partitions partitions read
 * @param workers workers used
 * @param seconds wall time
 * @param zeroDates zero dates ({@code 0000-00-00} and partly zero dates) loaded as NULL
 * @param mixesPointsInTime whether this run resumed an interrupted one and loaded tasks too: the
 *     tasks done before read the interrupted run's snapshot, the rest a new one, so the tables may
 *     mix two points in time (a warning says so)
 * @param warnings things the user should know (a table without a key, ...)
 * @param taskReports one entry per task, in sequence order (on resume: earlier runs' too)
 * @param snapshotPosition the binary log file, position and GTID state of the load's snapshot (null
 *     when the binary log is off or unreadable, when nothing was loaded, or when the follow resumed
 *     without loading)
 * @param follow with follow: what the follow did, else null
 */
public record LoadResult(
    Path target,
    List<String> tables,
    long rows,
    long rowsThisRun,
    int tasks,
    int tasksSkipped,
    int partitions,
    int workers,
    double seconds,
    long zeroDates,
    boolean mixesPointsInTime,
    List<String> warnings,
    List<TaskReport> taskReports,
    BinlogPosition snapshotPosition,
    FollowResult follow) {
  public LoadResult {
    tables = List.copyOf(tables);
    warnings = List.copyOf(warnings);
    taskReports = List.copyOf(taskReports);
  }

  /** The same result with what the follow after it did. */
  public LoadResult withFollow(FollowResult followResult) {
    return new LoadResult(
        target,
        tables,
        rows,
        rowsThisRun,
        tasks,
        tasksSkipped,
        partitions,
        workers,
        seconds,
        zeroDates,
        mixesPointsInTime,
        warnings,
        taskReports,
        snapshotPosition,
        followResult);
  }

  public double rowsPerSecond() {
    return seconds <= 0 ? rowsThisRun : rowsThisRun / seconds;
  }
}
