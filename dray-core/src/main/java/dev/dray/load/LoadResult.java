package dev.dray.load;

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
    List<TaskReport> taskReports) {
  public LoadResult {
    tables = List.copyOf(tables);
    warnings = List.copyOf(warnings);
    taskReports = List.copyOf(taskReports);
  }

  public double rowsPerSecond() {
    return seconds <= 0 ? rowsThisRun : rowsThisRun / seconds;
  }
}
