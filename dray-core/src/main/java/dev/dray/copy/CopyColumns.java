package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import dev.dray.db.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The columns a copy moves, matched by name (case-insensitively, as MySQL does): the target may
 * list them in another order and may have extra columns, as long as those can be left out of an
 * INSERT (nullable, defaulted, auto-increment or generated).
 *
 * @param names the column names to copy, in the source's order
 * @param keyColumns the source key used for chunking
 */
public record CopyColumns(List<String> names, List<String> keyColumns) {
  public CopyColumns {
    names = List.copyOf(names);
    keyColumns = List.copyOf(keyColumns);
  }

  /**
   * Matches the tables or refuses with {@link ErrorCode#UNSUPPORTED_SCHEMA}, naming every problem.
   *
   * @param targetColumnsWithoutDefault target columns that an INSERT must give a value for
   */
  static CopyColumns match(
      TableInfo source, TableInfo target, Set<String> targetColumnsWithoutDefault) {
    if (!source.hasKey()) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "source table "
              + source.name()
              + " has no primary key or unique key over NOT NULL columns:"
              + " it cannot be copied in key-range chunks; add a primary key");
    }
    List<String> problems = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (ColumnInfo column : source.columns()) {
      Optional<ColumnInfo> match = target.column(column.name());
      if (match.isEmpty()) {
        problems.add("column " + column.name() + " is missing in the target");
        continue;
      }
      if (match.get().generated()) {
        continue; // the target computes it
      }
      TypeCompatibility.problem(column, match.get()).ifPresent(problems::add);
      names.add(column.name());
    }
    for (ColumnInfo column : target.columns()) {
      if (source.column(column.name()).isEmpty()
          && !column.generated()
          && targetColumnsWithoutDefault.contains(column.name())) {
        problems.add(
            "target column "
                + column.name()
                + " is NOT NULL without a default and has no source column");
      }
    }
    if (!problems.isEmpty()) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "cannot copy "
              + source.name()
              + " into "
              + target.name()
              + ": "
              + String.join("; ", problems));
    }
    return new CopyColumns(names, source.key().stream().map(ColumnInfo::name).toList());
  }
}
