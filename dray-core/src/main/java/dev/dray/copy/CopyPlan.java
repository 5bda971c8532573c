package dev.dray.copy;

import java.util.List;

/**
 * What a copy would do: printed by {@code --dry-run}, nothing touched.
 *
 * @param jobId the job's name in the checkpoint table
 * @param sourceTable the source table
 * @param targetTable the target table
 * @param mode how rows would move
 * @param columns the columns matched by name
 * @param keyColumns the key the chunks follow
 * @param estimatedRows the source's row estimate
 * @param chunkRows rows per chunk (the starting size when adaptive)
 * @param chunkTime the target time per chunk, or null for fixed chunks
 * @param workers workers
 * @param checkpointTable where the checkpoint lives
 * @param resumeFrom the checkpoint a --resume would continue from, or null
 * @param targetState what the start does with the target's rows (empty, overwriting, resuming), or
 *     null when not checked
 * @param lockHolder the session that runs this copy (or a verify of it) right now, or null
 */
public record CopyPlan(
    String jobId,
    String sourceTable,
    String targetTable,
    CopyMode mode,
    List<String> columns,
    List<String> keyColumns,
    long estimatedRows,
    long chunkRows,
    String chunkTime,
    int workers,
    String checkpointTable,
    FrontierPosition resumeFrom,
    String targetState,
    String lockHolder) {
  public CopyPlan {
    columns = List.copyOf(columns);
    keyColumns = List.copyOf(keyColumns);
  }

  public long estimatedChunks() {
    return Math.max(1, (estimatedRows + chunkRows - 1) / chunkRows);
  }
}
