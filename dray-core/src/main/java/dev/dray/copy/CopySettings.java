package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import java.time.Duration;

/**
 * The validated settings of a copy.
 *
 * @param source the source server
 * @param sourceTable the table to copy from
 * @param target the target server (may be the same as the source)
 * @param targetTable the existing table to copy into
 * @param workers parallel workers (1 to {@link #MAX_WORKERS})
 * @param chunkRows rows per chunk; with {@code chunkTime} the starting size
 * @param chunkTime the time each chunk should take (adaptive chunk size), or null for a fixed size
 * @param mode how rows move; {@link CopyMode#AUTO} decides by comparing the servers
 * @param resume continue from the checkpoint of an earlier run of the same job
 * @param jobId names the job in the checkpoint table
 * @param maxAttempts attempts per chunk for deadlocks, lock wait timeouts and lost connections
 * @param lockWaitTimeout the workers' session lock wait timeout, or null for the server's
 * @param checkpointInterval the least time between checkpoint writes (zero: with every chunk that
 *     moves the frontier); a longer interval means fewer writes and a few more chunks re-copied on
 *     resume
 * @param throttle when to pause
 * @param overwriteTarget whether a target that holds rows before the copy starts is accepted: each
 *     chunk's key range is emptied in the target before the chunk is copied, so the target ends up
 *     holding exactly the source's rows (without it such a target is refused)
 * @param createTarget whether a missing target table is created first: {@code CREATE TABLE ...
 *     LIKE} the source on the same server, the source's {@code SHOW CREATE TABLE} statement on
 *     another (an existing target is used as it is)
 */
public record CopySettings(
    ConnectionConfig source,
    TableName sourceTable,
    ConnectionConfig target,
    TableName targetTable,
    int workers,
    long chunkRows,
    Duration chunkTime,
    CopyMode mode,
    boolean resume,
    String jobId,
    int maxAttempts,
    Duration lockWaitTimeout,
    Duration checkpointInterval,
    ThrottleSettings throttle,
    boolean overwriteTarget,
    boolean createTarget) {
  public static final int DEFAULT_WORKERS = 4;
  public static final int MAX_WORKERS = 64;
  public static final long DEFAULT_CHUNK_ROWS = 1000;
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final int MAX_JOB_ID_LENGTH = 190;
  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMillis(100);

  public CopySettings {
    if (source == null) {
      throw DrayException.usage("a source database is required");
    }
    if (sourceTable == null) {
      throw DrayException.usage("a source table is required");
    }
    if (target == null) {
      target = source;
    }
    if (targetTable == null) {
      throw DrayException.usage("a target table is required");
    }
    if (workers < 1 || workers > MAX_WORKERS) {
      throw DrayException.usage(
          "workers must be between 1 and " + MAX_WORKERS + ", not " + workers);
    }
    if (chunkRows < 1) {
      throw DrayException.usage("chunk size must be positive, not " + chunkRows);
    }
    if (chunkTime != null && (chunkTime.isNegative() || chunkTime.isZero())) {
      throw DrayException.usage("chunk time must be positive, not " + chunkTime);
    }
    if (mode == null) {
      mode = CopyMode.AUTO;
    }
    if (jobId == null || jobId.isBlank()) {
      jobId = sourceTable + ">" + targetTable;
    }
    if (jobId.length() > MAX_JOB_ID_LENGTH) {
      jobId = jobId.substring(0, MAX_JOB_ID_LENGTH);
    }
    if (maxAttempts < 1) {
      throw DrayException.usage("max attempts must be at least 1, not " + maxAttempts);
    }
    if (checkpointInterval == null) {
      checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    }
    if (checkpointInterval.isNegative()) {
      throw DrayException.usage("checkpoint interval must not be negative");
    }
    if (throttle == null) {
      throttle = ThrottleSettings.NONE;
    }
    if (sourceTable.equals(targetTable) && source.url().equals(target.url())) {
      throw DrayException.usage("source and target are the same table: " + sourceTable);
    }
  }
}
