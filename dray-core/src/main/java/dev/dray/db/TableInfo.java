package dev.dray.db;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What the planner needs to know of a table.
 *
 * @param name the table
 * @param columns all columns in ordinal order
 * @param key the columns of the primary key, or of the first unique key over NOT NULL columns where
 *     there is no primary key; empty when there is neither
 * @param keyIsPrimary whether {@code key} is the primary key
 * @param partitions the partitions (leaf level: subpartitions where present); empty if none
 * @param estimatedRows the row estimate for the whole table
 */
public record TableInfo(
    TableName name,
    List<ColumnInfo> columns,
    List<ColumnInfo> key,
    boolean keyIsPrimary,
    List<PartitionInfo> partitions,
    long estimatedRows) {
  public TableInfo {
    requireNonNull(name, "name is null");
    columns = List.copyOf(columns);
    key = List.copyOf(key);
    partitions = List.copyOf(partitions);
  }

  public boolean hasKey() {
    return !key.isEmpty();
  }

  public boolean isPartitioned() {
    return !partitions.isEmpty();
  }

  public Optional<ColumnInfo> column(String columnName) {
    return columns.stream().filter(c -> c.name().equalsIgnoreCase(columnName)).findFirst();
  }

  public List<String> columnNames() {
    return columns.stream().map(ColumnInfo::name).toList();
  }
}
