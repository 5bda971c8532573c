package dev.dray.load;

import dev.dray.db.TableInfo;
import java.util.List;

/**
 * One source table of a load and where it goes.
 *
 * @param info the source table
 * @param targetTable the DuckDB table name
 * @param columns the column mappings, in source order
 * @param keyColumns the key columns used for range tasks (may be empty)
 */
record LoadTable(
    TableInfo info, String targetTable, List<DuckDbColumn> columns, List<String> keyColumns) {}
