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
 * @param targetNames for each of {@code names}, the column it is written to (the same name, unless
 *     an alter renamed it)
 */
public record CopyColumns(List<String> names, List<String> keyColumns, List<String> targetNames) {
  public CopyColumns {
    names = List.copyOf(names);
    keyColumns = List.copyOf(keyColumns);
    targetNames = targetNames == null ? names : List.copyOf(targetNames);
    if (targetNames.size() != names.size()) {
      throw new IllegalArgumentException("one target name per column");
    }
  }

  public CopyColumns(List<String> names, List<String> keyColumns) {
    this(names, keyColumns, null);
  }

  /**
   * Matches the tables or refuses with {@link ErrorCode#UNSUPPORTED_SCHEMA}, naming every problem.
   *
   * @param targetColumnsWithoutDefault target columns that an INSERT must give a value for
   */
  static CopyColumns match(
      TableInfo source, TableInfo target, Set<String> targetColumnsWithoutDefault) {
    return match(source, target, targetColumnsWithoutDefault, null);
  }

  /**
   * As {@link #match(TableInfo, TableInfo, Set)}; with an {@code alter} mapping, source columns go
   * to their renamed target columns, source columns the target lacks (dropped) are left out, and
   * types are not compared (the strict writes refuse a value that does not fit).
   */
  static CopyColumns match(
      TableInfo source,
      TableInfo target,
      Set<String> targetColumnsWithoutDefault,
      ColumnMapping alter) {
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
    List<String> targetNames = new ArrayList<>();
    for (ColumnInfo column : source.columns()) {
      String targetName = alter == null ? column.name() : alter.targetName(column.name());
      Optional<ColumnInfo> match = target.column(targetName);
      if (match.isEmpty()) {
        if (alter == null) {
          problems.add("column " + column.name() + " is missing in the target");
        }
        continue; // an alter dropped it
      }
      if (match.get().generated()) {
        continue; // the target computes it
      }
      if (alter == null) {
        TypeCompatibility.problem(column, match.get()).ifPresent(problems::add);
      }
      names.add(column.name());
      targetNames.add(match.get().name());
    }
    for (ColumnInfo column : target.columns()) {
      if (source.column(column.name()).isEmpty()
          && (alter == null || !alter.isRenameTarget(column.name()))
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
    return new CopyColumns(
        names, source.key().stream().map(ColumnInfo::name).toList(), targetNames);
  }
}
