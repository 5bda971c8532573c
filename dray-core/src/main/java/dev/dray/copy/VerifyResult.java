package dev.dray.copy;

import java.util.List;

/**
 * What a verify found.
 *
 * @param sourceTable the source table
 * @param targetTable the target table
 * @param columns the columns compared
 * @param chunks ranges compared
 * @param sourceRows rows counted in the source
 * @param targetRows rows counted in the target
 * @param mismatchingRanges ranges whose count or checksum differ
 * @param differingKeys the differing rows found by drilling into those ranges (at most the limit)
 * @param keysTruncated whether more differing rows exist than are listed
 * @param workers workers used
 * @param seconds wall time
 */
public record VerifyResult(
    String sourceTable,
    String targetTable,
    List<String> columns,
    long chunks,
    long sourceRows,
    long targetRows,
    List<RangeDifference> mismatchingRanges,
    List<KeyDifference> differingKeys,
    boolean keysTruncated,
    int workers,
    double seconds) {
  public VerifyResult {
    columns = List.copyOf(columns);
    mismatchingRanges = List.copyOf(mismatchingRanges);
    differingKeys = List.copyOf(differingKeys);
  }

  /** Whether source and target hold the same rows. */
  public boolean equal() {
    return mismatchingRanges.isEmpty();
  }
}
