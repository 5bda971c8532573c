package dev.dray.alter;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated settings of an alter.
 *
 * @param source the server
 * @param table the table to alter
 * @param spec the ALTER specification (what follows {@code ALTER TABLE T})
 * @param workers parallel copy workers
 * @param chunkRows rows per chunk; with {@code chunkTime} the starting size
 * @param chunkTime the time a chunk should take, or null for a fixed size
 * @param maxApplyLag pause the copy while applying lags more than this
 * @param postponeCutOverFlagFile while this file exists, stay caught up and do not cut over
 * @param cutOverLockTimeout how long writes may wait at the cut-over
 * @param dropOldTable drop the original after the cut-over instead of keeping it as {@code _T_old}
 * @param resume continue an interrupted alter
 * @param pauseFile pause the copy while this file exists
 * @param maxThreadsRunning pause while Threads_running is above this (0: off)
 * @param maxRowsPerSecond copy at most this many rows per second (0: no limit)
 * @param throttleQuery pause while this query returns non-zero, or null
 * @param serverId the replica server id for the binary log (0: random)
 */
public record AlterSettings(
    ConnectionConfig source,
    TableName table,
    String spec,
    int workers,
    long chunkRows,
    Duration chunkTime,
    Duration maxApplyLag,
    Path postponeCutOverFlagFile,
    Duration cutOverLockTimeout,
    boolean dropOldTable,
    boolean resume,
    Path pauseFile,
    long maxThreadsRunning,
    long maxRowsPerSecond,
    String throttleQuery,
    long serverId) {
  public AlterSettings {
    if (source == null) {
      throw DrayException.usage("a source database is required");
    }
    if (table == null) {
      throw DrayException.usage("a table is required");
    }
    if (spec == null || spec.isBlank()) {
      throw DrayException.usage("--alter needs the ALTER specification, e.g. \"ADD COLUMN c INT\"");
    }
    spec = spec.strip();
    if (spec.endsWith(";")) {
      spec = spec.substring(0, spec.length() - 1).strip();
    }
    if (cutOverLockTimeout == null
        || cutOverLockTimeout.isNegative()
        || cutOverLockTimeout.isZero()) {
      throw DrayException.usage("--cut-over-lock-timeout must be positive");
    }
    if (maxApplyLag == null || maxApplyLag.isNegative() || maxApplyLag.isZero()) {
      throw DrayException.usage("--max-apply-lag must be positive");
    }
  }
}
