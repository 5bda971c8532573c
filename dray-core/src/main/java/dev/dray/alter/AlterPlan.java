package dev.dray.alter;

import dev.dray.copy.ColumnMapping;
import java.util.List;

/**
 * What an alter will do, checked against the server before anything changes.
 *
 * @param table the table altered
 * @param newTable the table it copies into
 * @param oldTable the name the original keeps after the cut-over
 * @param spec the ALTER specification
 * @param newTableDdl the new table's CREATE TABLE statement (as the server shows it)
 * @param copied each copied column as "name" or "old -> new" for a rename
 * @param dropped columns of the table not copied (the alter drops them)
 * @param added columns of the new table without a source column (they take their defaults)
 * @param key the key the copy walks and changes are applied by
 * @param newUniqueKeys unique keys of the new table that no unique key of the table implies: the
 *     rows decide whether the alter can succeed (a duplicate fails it before the cut-over)
 * @param estimatedRows the table's row estimate
 * @param mapping the column mapping the copy uses
 * @param resuming what a resume continues, or null for a fresh start
 */
public record AlterPlan(
    String table,
    String newTable,
    String oldTable,
    String spec,
    String newTableDdl,
    List<String> copied,
    List<String> dropped,
    List<String> added,
    List<String> key,
    List<NewUniqueKey> newUniqueKeys,
    long estimatedRows,
    ColumnMapping mapping,
    String resuming) {
  public AlterPlan {
    copied = List.copyOf(copied);
    dropped = List.copyOf(dropped);
    added = List.copyOf(added);
    key = List.copyOf(key);
    newUniqueKeys = List.copyOf(newUniqueKeys);
  }

  /**
   * A new unique key.
   *
   * @param name its name in the new table
   * @param sourceColumns its columns, by their names in the original table
   */
  public record NewUniqueKey(String name, List<String> sourceColumns) {
    public NewUniqueKey {
      sourceColumns = List.copyOf(sourceColumns);
    }
  }
}
