package dev.dray.report;

import java.util.List;
import java.util.Map;

/**
 * What a {@link JobTimeline} recorded, at one moment: the data of an HTML report and of the live
 * status page. Times are seconds since the job started.
 *
 * @param kind the job kind ("load", "copy", "verify")
 * @param title a one-line description (tables involved)
 * @param startedAtEpochMillis when the job started (wall clock)
 * @param elapsedSeconds how long the job has run (or ran)
 * @param finished whether the job is over
 * @param outcome "running", "ok", or the failure message (masked)
 * @param workers the number of worker lanes
 * @param tasks every task that ran or runs, in start order
 * @param throttles intervals during which workers were held back, with the reason
 * @param samples periodic measurements (rows, rows/s, chunk size, apply lag)
 * @param notes operator changes and other events, in order
 * @param summary the job's result (as JSON would show it), or null while running
 * @param settings the settings used, passwords masked
 * @param controls the live controls' state (only while running with a status server), or null
 */
public record TimelineSnapshot(
    String kind,
    String title,
    long startedAtEpochMillis,
    double elapsedSeconds,
    boolean finished,
    String outcome,
    int workers,
    List<TaskEntry> tasks,
    List<ThrottleEntry> throttles,
    List<Sample> samples,
    List<Note> notes,
    Object summary,
    Map<String, Object> settings,
    Map<String, Object> controls) {

  /**
   * One task (chunk, partition) on a worker lane.
   *
   * @param worker the worker lane (0-based)
   * @param label what the task is ({@code shop.orders partition p3 keys [10 .. 20)})
   * @param group what colours it: the table and partition
   * @param start seconds since the job started
   * @param end seconds since the job started (now, while running)
   * @param rows rows the task moved (0 when unknown)
   * @param retries attempts beyond the first
   * @param throttledSeconds how long the worker was held back before this task's work started
   * @param outcome "ok", "running" or "failed"
   */
  public record TaskEntry(
      int worker,
      String label,
      String group,
      double start,
      double end,
      long rows,
      int retries,
      double throttledSeconds,
      String outcome) {}

  /** An interval during which at least one worker was held back, and why. */
  public record ThrottleEntry(double start, double end, String reason) {}

  /**
   * One periodic measurement.
   *
   * @param t seconds since the job started
   * @param rows rows done so far
   * @param rowsPerSecond rows per second since the previous sample
   * @param chunkRows the chunk size in force, or null when the job has none
   * @param applyLagSeconds the apply lag of an online job, or null
   */
  public record Sample(
      double t, long rows, double rowsPerSecond, Long chunkRows, Double applyLagSeconds) {}

  /** Something that happened, such as an operator's change through the status server. */
  public record Note(double t, String text) {}
}
