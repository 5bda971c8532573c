package dev.dray.alter;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.alter.AlterPlan.NewUniqueKey;
import dev.dray.copy.ColumnMapping;
import dev.dray.copy.OnlineCopy;
import dev.dray.db.AlterSpec;
import dev.dray.db.AlterStatements;
import dev.dray.db.AlterStatements.ShownColumn;
import dev.dray.db.AlterStatements.ShownKey;
import dev.dray.db.ColumnInfo;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The refusals of {@code dray alter}, all before anything changes: the table's binary log settings,
 * grants and key ({@link OnlineCopy#checkSource}), foreign keys to or from it, triggers on it, a
 * name taken by another table, and an alter that does not apply or that removes or renames the key
 * the copy walks. The alter's result is read from a temporary table (visible to this session only,
 * gone with it), which gives the new table's DDL, columns and keys.
 */
final class AlterPreflight {
  private AlterPreflight() {}

  /**
   * Checks the alter and returns its plan.
   *
   * @param existingNewTable read the new table that exists (a resume) instead of trying the alter
   *     on a temporary table
   */
  static AlterPlan check(
      Connection source,
      Dialect dialect,
      AlterNames names,
      String spec,
      boolean existingNewTable,
      String resuming)
      throws SQLException {
    TableName table = names.table();
    TableInspector inspector = new TableInspector(source);
    if (!inspector.exists(table)) {
      throw new DrayException(
          ErrorCode.NOT_FOUND,
          "table " + table + " does not exist (or is not visible to this user)");
    }
    if (inspector.isView(table)) {
      throw new DrayException(ErrorCode.UNSUPPORTED_SCHEMA, table + " is a view, not a table");
    }
    TableInfo info = OnlineCopy.checkSource(source, dialect, table);
    AlterStatements sql = new AlterStatements(dialect);
    List<String> foreignKeys = sql.foreignKeys(source, table);
    if (!foreignKeys.isEmpty()) {
      throw refuse(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "table "
              + table
              + " has foreign keys to or from it ("
              + String.join(", ", foreignKeys)
              + "): the cut-over would leave them pointing at the old table; drop them first or"
              + " use ALTER TABLE ... ALGORITHM=INPLACE, LOCK=NONE");
    }
    List<String> triggers = sql.triggers(source, table);
    if (!triggers.isEmpty()) {
      throw refuse(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "table "
              + table
              + " has triggers ("
              + String.join(", ", triggers)
              + "): they would stay on the old table after the cut-over; drop them first and"
              + " create them again after");
    }
    collision(source, sql, names.newTable(), existingNewTable, "--resume continues it");
    collision(source, sql, names.oldTable(), false, null);
    Shape shape =
        existingNewTable ? read(source, sql, names.newTable()) : tryAlter(source, sql, names, spec);
    return plan(info, sql.uniqueKeys(source, table), names, spec, shape, resuming);
  }

  private static void collision(
      Connection source, AlterStatements sql, TableName name, boolean expected, String advice)
      throws SQLException {
    if (!expected && sql.comment(source, name) != null) {
      throw refuse(
          ErrorCode.TARGET_UNAVAILABLE,
          "table "
              + name
              + " exists, and dray alter needs that name"
              + (advice == null
                  ? ""
                  : " (left by an earlier dray alter of the table? " + advice + ")")
              + "; drop or rename it first");
    }
  }

  /** The new table's shape, as the server shows it. */
  record Shape(String ddl, List<ShownColumn> columns, List<ShownKey> uniqueKeys) {}

  private static Shape tryAlter(
      Connection source, AlterStatements sql, AlterNames names, String spec) throws SQLException {
    TableName scratch = names.newTable();
    try {
      sql.createLike(source, scratch, names.table(), true);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "cannot try the alter on a temporary copy of "
              + names.table()
              + "'s definition (partitioned tables are not supported): "
              + SqlErrors.describe(e),
          e);
    }
    try {
      try {
        sql.alter(source, scratch, spec);
      } catch (SQLException e) {
        throw DrayException.usage(
            "the alter does not apply to " + names.table() + ": " + SqlErrors.describe(e));
      }
      Shape shape = read(source, sql, scratch);
      return new Shape(
          shape.ddl().replaceFirst("^CREATE TEMPORARY TABLE", "CREATE TABLE"),
          shape.columns(),
          shape.uniqueKeys());
    } finally {
      sql.drop(source, scratch, true);
    }
  }

  private static Shape read(Connection source, AlterStatements sql, TableName table)
      throws SQLException {
    String ddl = sql.showCreate(source, table);
    return new Shape(ddl, sql.columns(source, table), sql.uniqueKeys(source, table));
  }

  private static AlterPlan plan(
      TableInfo info,
      List<ShownKey> uniqueKeys,
      AlterNames names,
      String spec,
      Shape shape,
      String resuming) {
    Map<String, String> renames = AlterSpec.renames(spec);
    Set<String> keyColumns = new HashSet<>();
    info.key().forEach(c -> keyColumns.add(lower(c.name())));
    for (Map.Entry<String, String> rename : renames.entrySet()) {
      if (info.column(rename.getKey()).isEmpty() || find(shape, rename.getValue()).isEmpty()) {
        throw DrayException.usage(
            "the alter renames "
                + rename.getKey()
                + " to "
                + rename.getValue()
                + ", but the tables do not show that rename (the new table has no column "
                + rename.getValue()
                + " or the table no column "
                + rename.getKey()
                + ")");
      }
      if (keyColumns.contains(lower(rename.getKey()))) {
        throw refuse(
            ErrorCode.UNSUPPORTED_SCHEMA,
            "the alter renames key column "
                + rename.getKey()
                + ", the key the copy walks and applies changes by; rename it in a separate"
                + " ALTER TABLE (a rename is instant) before or after");
      }
    }
    ColumnMapping mapping = new ColumnMapping(renames);
    List<String> newKey = walkedKey(shape);
    List<String> oldKey = info.key().stream().map(ColumnInfo::name).toList();
    if (!lowered(newKey).equals(lowered(oldKey))) {
      throw refuse(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "the alter changes the key the copy walks and applies changes by: ("
              + String.join(", ", oldKey)
              + ") in "
              + names.table()
              + ", "
              + (newKey.isEmpty() ? "none" : "(" + String.join(", ", newKey) + ")")
              + " in the new table; keep that key (change it in a separate, offline ALTER)");
    }
    List<String> copied = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    Set<String> sourced = new HashSet<>();
    for (ColumnInfo column : info.columns()) {
      String target = mapping.targetName(column.name());
      Optional<ShownColumn> match = find(shape, target);
      if (match.isEmpty()) {
        dropped.add(column.name());
        continue;
      }
      sourced.add(lower(target));
      if (!match.get().generated()) {
        copied.add(
            target.equalsIgnoreCase(column.name())
                ? column.name()
                : column.name() + " -> " + match.get().name());
      }
    }
    List<String> added = new ArrayList<>();
    for (ShownColumn column : shape.columns()) {
      if (sourced.contains(lower(column.name()))) {
        continue;
      }
      added.add(column.name());
      if (!column.nullable() && !column.hasDefault() && !column.generated()) {
        throw refuse(
            ErrorCode.UNSUPPORTED_SCHEMA,
            "added column "
                + column.name()
                + " is NOT NULL without a DEFAULT: the copied rows have no value for it; give"
                + " it a DEFAULT");
      }
    }
    return new AlterPlan(
        names.table().toString(),
        names.newTable().toString(),
        names.oldTable().toString(),
        spec,
        shape.ddl(),
        copied,
        dropped,
        added,
        newKey,
        newUniqueKeys(info, uniqueKeys, shape, mapping),
        info.estimatedRows(),
        mapping,
        resuming);
  }

  /** The key a copy into the new table walks: PRIMARY, else the first unique key of NOT NULLs. */
  private static List<String> walkedKey(Shape shape) {
    for (ShownKey key : shape.uniqueKeys()) {
      boolean usable =
          key.columns().stream()
              .allMatch(c -> find(shape, c).map(column -> !column.nullable()).orElse(false));
      if (usable) {
        return key.columns();
      }
    }
    return List.of();
  }

  /**
   * Unique keys of the new table whose columns hold no unique key of the table: two rows of the
   * table may share their value.
   */
  private static List<NewUniqueKey> newUniqueKeys(
      TableInfo info, List<ShownKey> uniqueKeys, Shape shape, ColumnMapping mapping) {
    Map<String, String> back = new java.util.HashMap<>();
    for (ColumnInfo column : info.columns()) {
      back.put(lower(mapping.targetName(column.name())), column.name());
    }
    List<List<String>> oldKeys = new ArrayList<>();
    uniqueKeys.forEach(k -> oldKeys.add(lowered(k.columns())));
    List<NewUniqueKey> result = new ArrayList<>();
    for (ShownKey key : shape.uniqueKeys()) {
      List<String> sourceColumns = new ArrayList<>();
      for (String column : key.columns()) {
        String sourceName = back.get(lower(column));
        if (sourceName == null) {
          sourceColumns = null; // an added column: its default in every row
          break;
        }
        sourceColumns.add(sourceName);
      }
      if (sourceColumns == null) {
        continue;
      }
      List<String> lowerColumns = lowered(sourceColumns);
      boolean implied = oldKeys.stream().anyMatch(lowerColumns::containsAll);
      if (!implied) {
        result.add(new NewUniqueKey(key.name(), sourceColumns));
      }
    }
    return result;
  }

  private static Optional<ShownColumn> find(Shape shape, String name) {
    return shape.columns().stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static List<String> lowered(List<String> names) {
    return names.stream().map(AlterPreflight::lower).toList();
  }

  private static DrayException refuse(ErrorCode code, String message) {
    return new DrayException(code, message + " (nothing was changed)");
  }
}
