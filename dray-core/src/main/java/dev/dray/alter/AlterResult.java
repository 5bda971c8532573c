package dev.dray.alter;

import dev.dray.copy.OnlineCopyResult;

/**
 * What an alter did.
 *
 * @param table the table, now with the alter applied
 * @param oldTable where the original table is kept, or null when it was dropped
 * @param spec the ALTER specification
 * @param copy the online copy into the new table (null when a resume found the cut-over done)
 * @param cutOverAttempts cut-over attempts (the last one succeeded)
 * @param writesBlockedMillis how long writes to the table waited at the successful cut-over: from
 *     the lock request to the RENAME's end
 * @param seconds wall time
 */
public record AlterResult(
    String table,
    String oldTable,
    String spec,
    OnlineCopyResult copy,
    int cutOverAttempts,
    long writesBlockedMillis,
    double seconds) {}
