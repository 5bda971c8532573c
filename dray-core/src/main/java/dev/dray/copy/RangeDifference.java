package dev.dray.copy;

/**
 * A key range whose rows differ between source and target.
 *
 * @param range the range, as {@code [lower .. upper)}
 * @param sourceRows rows in the source range
 * @param targetRows rows in the target range
 */
public record RangeDifference(String range, long sourceRows, long targetRows) {}
