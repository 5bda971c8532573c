package dev.dray.plan;

import dev.dray.db.ColumnInfo;
import dev.dray.db.Dialect;
import dev.dray.db.PartitionInfo;
import dev.dray.db.TableInfo;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts tables into tasks: one per partition (the natural unit); a partition or table estimated
 * above {@code chunkRows} is split into key ranges found by {@link KeysetBoundaries}, so one huge
 * partition never serializes a job. Tasks come out biggest first, numbered in that order.
 */
public final class Planner {
  private final Connection connection;
  private final Dialect dialect;
  private final long chunkRows;

  public Planner(Connection connection, Dialect dialect, long chunkRows) {
    if (chunkRows < 1) {
      throw new IllegalArgumentException("chunkRows must be positive");
    }
    this.connection = connection;
    this.dialect = dialect;
    this.chunkRows = chunkRows;
  }

  /** Plans several tables together: tasks of all tables ordered biggest first. */
  public List<Task> plan(List<TableInfo> tables) {
    List<Task> tasks = new ArrayList<>();
    for (TableInfo table : tables) {
      tasks.addAll(unnumbered(table));
    }
    tasks.sort(Comparator.comparingLong(Task::estimatedRows).reversed());
    List<Task> numbered = new ArrayList<>(tasks.size());
    for (int i = 0; i < tasks.size(); i++) {
      numbered.add(tasks.get(i).withSequence(i));
    }
    return numbered;
  }

  public List<Task> plan(TableInfo table) {
    return plan(List.of(table));
  }

  private List<Task> unnumbered(TableInfo table) {
    List<Task> tasks = new ArrayList<>();
    if (table.isPartitioned() && dialect.supportsPartitionSelection()) {
      for (PartitionInfo partition : table.partitions()) {
        tasks.addAll(split(table, partition, partition.estimatedRows()));
      }
    } else {
      tasks.addAll(split(table, null, table.estimatedRows()));
    }
    return tasks;
  }

  private List<Task> split(TableInfo table, PartitionInfo partition, long estimatedRows) {
    if (!table.hasKey() || estimatedRows <= chunkRows) {
      return List.of(new Task(0, table.name(), partition, KeyRange.ALL, estimatedRows));
    }
    List<String> key = table.key().stream().map(ColumnInfo::name).toList();
    List<KeyRange> ranges = new ArrayList<>();
    new KeysetBoundaries(connection, dialect, table.name(), partition, key, chunkRows, KeyRange.ALL)
        .forEachRemaining(ranges::add);
    long perRange = Math.max(1, estimatedRows / ranges.size());
    return ranges.stream().map(r -> new Task(0, table.name(), partition, r, perRange)).toList();
  }
}
