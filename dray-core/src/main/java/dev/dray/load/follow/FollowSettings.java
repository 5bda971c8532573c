package dev.dray.load.follow;

import dev.dray.DrayException;
import java.time.Duration;

/**
 * How {@code load --follow} keeps the loaded tables current.
 *
 * @param applyInterval the longest a change waits in the buffer before it is applied (a batch is
 *     also applied at once when the reader has caught up, or when {@code maxBatchBytes} are
 *     buffered)
 * @param followFor stop after this long (null: until cancelled)
 * @param onSchemaChange what a schema change on a followed table does
 * @param shareFile close the DuckDB file between batches so other processes can open it
 * @param maxBatchBytes apply when this many bytes of row images are buffered
 * @param serverId the replica server id announced to the source (0: a random one)
 */
public record FollowSettings(
    Duration applyInterval,
    Duration followFor,
    OnSchemaChange onSchemaChange,
    boolean shareFile,
    long maxBatchBytes,
    long serverId) {
  public static final Duration DEFAULT_APPLY_INTERVAL = Duration.ofSeconds(1);
  public static final long DEFAULT_MAX_BATCH_BYTES = 64L << 20;

  /** What a schema change on a followed table does. */
  public enum OnSchemaChange {
    /** Reload the table from a fresh snapshot and carry on. */
    RELOAD,
    /** Apply what came before it, store the position, and stop with an error. */
    FAIL
  }

  public FollowSettings {
    if (applyInterval == null || applyInterval.isNegative()) {
      throw DrayException.usage("the apply interval must be zero or more, not " + applyInterval);
    }
    if (followFor != null && (followFor.isNegative() || followFor.isZero())) {
      throw DrayException.usage("--follow-for must be positive, not " + followFor);
    }
    if (onSchemaChange == null) {
      onSchemaChange = OnSchemaChange.RELOAD;
    }
    if (maxBatchBytes < 1) {
      throw DrayException.usage("the batch size limit must be positive, not " + maxBatchBytes);
    }
  }

  /** Defaults: apply every second (or when caught up), reload on a schema change. */
  public static FollowSettings defaults() {
    return new FollowSettings(
        DEFAULT_APPLY_INTERVAL, null, OnSchemaChange.RELOAD, false, DEFAULT_MAX_BATCH_BYTES, 0);
  }

  public FollowSettings withFollowFor(Duration duration) {
    return new FollowSettings(
        applyInterval, duration, onSchemaChange, shareFile, maxBatchBytes, serverId);
  }

  public FollowSettings withApplyInterval(Duration interval) {
    return new FollowSettings(
        interval, followFor, onSchemaChange, shareFile, maxBatchBytes, serverId);
  }

  public FollowSettings withOnSchemaChange(OnSchemaChange mode) {
    return new FollowSettings(applyInterval, followFor, mode, shareFile, maxBatchBytes, serverId);
  }

  public FollowSettings withShareFile(boolean share) {
    return new FollowSettings(
        applyInterval, followFor, onSchemaChange, share, maxBatchBytes, serverId);
  }

  public FollowSettings withMaxBatchBytes(long bytes) {
    return new FollowSettings(applyInterval, followFor, onSchemaChange, shareFile, bytes, serverId);
  }
}
