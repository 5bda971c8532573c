package dev.dray.load;

import static java.util.Objects.requireNonNull;

import dev.dray.db.TableName;
import java.util.List;

/**
 * A loaded table that follow keeps current: where it comes from, the DuckDB table it lands in, its
 * columns as load maps them, and which of them form the key changes are applied by.
 *
 * @param source the source table
 * @param targetTable the DuckDB table
 * @param columns the column mappings in source order
 * @param keyIndexes positions of the key columns in {@code columns}
 */
public record FollowTable(
    TableName source, String targetTable, List<DuckDbColumn> columns, List<Integer> keyIndexes) {
  public FollowTable {
    requireNonNull(source, "source is null");
    requireNonNull(targetTable, "targetTable is null");
    columns = List.copyOf(columns);
    keyIndexes = List.copyOf(keyIndexes);
    if (keyIndexes.isEmpty()) {
      throw new IllegalArgumentException(source + " has no key to apply changes by");
    }
  }

  static FollowTable of(LoadTable table) {
    List<Integer> keys =
        table.info().key().stream()
            .map(k -> table.info().columns().indexOf(table.info().column(k.name()).orElseThrow()))
            .toList();
    return new FollowTable(table.info().name(), table.targetTable(), table.columns(), keys);
  }
}
