package dev.dray.load;

/**
 * What one finished task did.
 *
 * @param sequence the task's sequence number
 * @param table the source table
 * @param partition the partition label, or null
 * @param range the key range, or null for the whole table/partition
 * @param worker the worker that ran it
 * @param rows rows loaded
 * @param seconds wall time of the task
 * @param retries attempts beyond the first
 */
public record TaskReport(
    long sequence,
    String table,
    String partition,
    String range,
    int worker,
    long rows,
    double seconds,
    int retries) {}
