package dev.dray.load;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import dev.dray.load.follow.FollowSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * The validated settings of a load.
 *
 * @param source the source database
 * @param tables the source tables
 * @param target the DuckDB file
 * @param targetTable the target table name (only with one source table), or null for the source
 *     table's own name
 * @param workers the most workers to run (fewer if there are fewer tasks)
 * @param chunkRows tasks larger than this are split into key ranges
 * @param resume skip tasks an earlier run finished (with follow: continue following from the stored
 *     position, without loading)
 * @param follow keep the tables current from the binary log after the load, or null
 */
public record LoadSettings(
    ConnectionConfig source,
    List<TableName> tables,
    Path target,
    String targetTable,
    int workers,
    long chunkRows,
    boolean resume,
    FollowSettings follow) {
  public static final int MAX_WORKERS = 256;

  public LoadSettings {
    if (source == null) {
      throw DrayException.usage("a source database is required");
    }
    if (tables == null || tables.isEmpty()) {
      throw DrayException.usage("at least one table is required");
    }
    tables = List.copyOf(tables);
    if (target == null) {
      throw DrayException.usage("a DuckDB target file is required");
    }
    if (targetTable != null && tables.size() > 1) {
      throw DrayException.usage("a target table name can only be given for a single source table");
    }
    if (workers < 1 || workers > MAX_WORKERS) {
      throw DrayException.usage(
          "workers must be between 1 and " + MAX_WORKERS + ", not " + workers);
    }
    if (chunkRows < 1) {
      throw DrayException.usage("chunk rows must be positive, not " + chunkRows);
    }
    if (tables.stream().map(TableName::table).distinct().count() < tables.size()
        && targetTable == null) {
      throw DrayException.usage(
          "two source tables have the same name; load them separately with --target-table");
    }
  }
}
