package dev.dray.copy;

import java.util.List;

/**
 * What a finished copy did.
 *
 * @param jobId the job's name in the checkpoint table
 * @param sourceTable the source table
 * @param targetTable the target table
 * @param mode how rows moved
 * @param columns the columns copied
 * @param workers workers used
 * @param chunks chunks copied in this run
 * @param rowsCopied rows inserted in this run (re-copied rows that already existed are not counted)
 * @param resumedFromSequence the checkpoint's frontier this run started after, -1 for a fresh start
 * @param checkpointSequence the frontier at the end (the last chunk's sequence number)
 * @param seconds wall time
 * @param throttledSeconds wall time during which workers were held back by throttling
 * @param retries chunk attempts that failed transiently and were retried
 * @param finalChunkRows the chunk size at the end (differs from the start with --chunk-time)
 */
public record CopyResult(
    String jobId,
    String sourceTable,
    String targetTable,
    CopyMode mode,
    List<String> columns,
    int workers,
    long chunks,
    long rowsCopied,
    long resumedFromSequence,
    long checkpointSequence,
    double seconds,
    double throttledSeconds,
    long retries,
    long finalChunkRows) {
  public CopyResult {
    columns = List.copyOf(columns);
  }

  public double rowsPerSecond() {
    return seconds <= 0 ? rowsCopied : rowsCopied / seconds;
  }
}
