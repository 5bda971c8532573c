package dev.dray.plan;

import static java.util.Objects.requireNonNull;

import dev.dray.db.PartitionInfo;
import dev.dray.db.TableName;

/**
 * One unit of work: a whole table, a partition, or a key range of either.
 *
 * @param sequence monotone number given at planning; the frontier advances over it
 * @param table the source table
 * @param partition the partition to read with {@code PARTITION (...)}, or null
 * @param range the key range to read, {@link KeyRange#ALL} for everything
 * @param estimatedRows the planner's row estimate (for ordering and progress)
 */
public record Task(
    long sequence, TableName table, PartitionInfo partition, KeyRange range, long estimatedRows) {
  public Task {
    requireNonNull(table, "table is null");
    requireNonNull(range, "range is null");
  }

  public Task withSequence(long newSequence) {
    return new Task(newSequence, table, partition, range, estimatedRows);
  }

  /** How the task is named in messages: {@code shop.orders partition p3 keys [10 .. 20)}. */
  public String describe() {
    StringBuilder text = new StringBuilder(table.toString());
    if (partition != null) {
      text.append(" partition ").append(partition.label());
    }
    if (!range.isAll()) {
      text.append(" keys ").append(range);
    }
    return text.toString();
  }
}
