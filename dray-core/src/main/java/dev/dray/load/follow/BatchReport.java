package dev.dray.load.follow;

import dev.dray.db.BinlogPosition;

/**
 * One applied batch.
 *
 * @param number the batch's number in this run, from 1
 * @param transactions source transactions it covers
 * @param changes row changes read for the followed tables
 * @param rows rows written (after deduplication per key: inserts, updates and deletes)
 * @param position the position the tables are current to after it
 * @param freshnessSeconds from the source commit of its oldest change to visible in DuckDB (the
 *     log's commit times are whole seconds, so this is an upper bound by up to a second); negative
 *     when the batch had no change to the followed tables
 * @param applySeconds the DuckDB transaction's time
 * @param totalChanges changes applied in this run so far
 */
public record BatchReport(
    long number,
    int transactions,
    long changes,
    long rows,
    BinlogPosition position,
    double freshnessSeconds,
    double applySeconds,
    long totalChanges) {}
