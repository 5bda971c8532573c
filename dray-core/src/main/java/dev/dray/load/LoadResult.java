package dev.dray.load;

import java.nio.file.Path;
import java.util.List;

/**
 * What a finished load did.
 *
 * @param target the DuckDB file
 * @param tables the target tables written (one per source table)
 * @param rows rows loaded in this run
 * @param tasks tasks in the plan
 * @param tasksSkipped tasks already done by an earlier run (resume)
 * @param partitions partitions read
 * @param workers workers used
 * @param seconds wall time
 * @param zeroDates zero dates read as NULL
 * @param taskReports one entry per task run
 */
public record LoadResult(
    Path target,
    List<String> tables,
    long rows,
    int tasks,
    int tasksSkipped,
    int partitions,
    int workers,
    double seconds,
    long zeroDates,
    List<TaskReport> taskReports) {
  public LoadResult {
    tables = List.copyOf(tables);
    taskReports = List.copyOf(taskReports);
  }

  public double rowsPerSecond() {
    return seconds <= 0 ? rows : rows / seconds;
  }
}
