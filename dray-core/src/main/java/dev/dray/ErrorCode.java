package dev.dray;

/**
 * What went wrong, in a form a caller can switch on. Each code maps to one process exit code: 1 for
 * a failed run, 2 for a usage error, 3 for a verify that found differences.
 */
public enum ErrorCode {
  /** Arguments or configuration contradict each other or are malformed. */
  USAGE(2),
  /** Could not connect or authenticate. */
  CONNECTION_FAILED(1),
  /** A named table, schema or queue does not exist. */
  NOT_FOUND(1),
  /** The table's shape cannot be handled (no key, unsupported or incompatible type). */
  UNSUPPORTED_SCHEMA(1),
  /** The database refused for lack of privileges. */
  ACCESS_DENIED(1),
  /** The target is locked by another process or cannot be written. */
  TARGET_UNAVAILABLE(1),
  /** A task failed for good (after retries) while the job ran. */
  TASK_FAILED(1),
  /** The run was interrupted or cancelled. */
  INTERRUPTED(1),
  /** Verification found rows that differ between source and target. */
  VERIFY_DIFFERENCES(3),
  /**
   * The binary log cannot be read as a change stream: off, not ROW with full images, or no longer
   * holding the position to continue from.
   */
  BINLOG_UNAVAILABLE(1),
  /** Anything else. */
  INTERNAL(1);

  private final int exitCode;

  ErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
