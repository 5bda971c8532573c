package dev.dray.db;

import static java.util.Objects.requireNonNull;

/**
 * One partition (or subpartition) of a table: the unit a {@code PARTITION (name)} clause reads.
 *
 * @param name the name to use in a {@code PARTITION (...)} clause: the subpartition where there are
 *     subpartitions, else the partition
 * @param parent the partition a subpartition belongs to, or null
 * @param estimatedRows information_schema's row estimate
 */
public record PartitionInfo(String name, String parent, long estimatedRows) {
  public PartitionInfo {
    requireNonNull(name, "name is null");
  }

  /** "p3" or "p3/p3sp1": how the partition is named in messages and reports. */
  public String label() {
    return parent == null ? name : parent + "/" + name;
  }
}
