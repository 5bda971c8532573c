package dev.dray.copy;

import static java.util.Objects.requireNonNull;

import dev.dray.db.BinlogPosition;

/**
 * What an online copy did.
 *
 * @param copy the chunk copy's own result
 * @param startPosition where the change stream started (the snapshot position, or the stored
 *     position on resume)
 * @param consistentAt the binary log position the target equals the source at
 * @param transactionsApplied source transactions read and applied in this run (those touching other
 *     tables included)
 * @param changesApplied row changes of the source table applied in this run
 * @param batches apply batches (target transactions)
 * @param maxApplyLagSeconds the largest apply lag seen (source commit to applied, whole-second
 *     commit timestamps)
 * @param followed whether the run kept following after catching up (--follow)
 * @param seconds wall time
 */
public record OnlineCopyResult(
    CopyResult copy,
    BinlogPosition startPosition,
    BinlogPosition consistentAt,
    long transactionsApplied,
    long changesApplied,
    long batches,
    double maxApplyLagSeconds,
    boolean followed,
    double seconds) {
  public OnlineCopyResult {
    requireNonNull(copy, "copy is null");
    requireNonNull(startPosition, "startPosition is null");
    requireNonNull(consistentAt, "consistentAt is null");
  }
}
