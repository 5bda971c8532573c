package dev.dray.copy;

import static java.util.Objects.requireNonNull;

import dev.dray.plan.KeyRange;
import java.time.Instant;

/**
 * A copy job's durable progress, one row of {@code _dray_checkpoint} on the target.
 *
 * @param jobId the job
 * @param sourceTable the source table, as {@code db.t}
 * @param targetTable the target table, as {@code db.t}
 * @param position the frontier: every chunk up to it is copied
 * @param chunkRows the chunk size when the checkpoint was written
 * @param finished whether the whole table was copied
 * @param updatedAt when the checkpoint was last written (server time), or null
 */
public record Checkpoint(
    String jobId,
    String sourceTable,
    String targetTable,
    FrontierPosition position,
    long chunkRows,
    boolean finished,
    Instant updatedAt) {
  public Checkpoint {
    requireNonNull(jobId, "jobId is null");
    requireNonNull(position, "position is null");
  }

  /** Where a resumed copy starts: after the last range of the frontier. */
  public KeyRange remaining() {
    return position.lastRange() == null
        ? KeyRange.ALL
        : new KeyRange(position.lastRange().upper(), null);
  }

  /** Whether nothing is left to copy after the frontier. */
  public boolean complete() {
    return finished || (position.lastRange() != null && position.lastRange().upper() == null);
  }
}
