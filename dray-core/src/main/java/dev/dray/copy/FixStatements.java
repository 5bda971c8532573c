package dev.dray.copy;

import static java.util.Objects.requireNonNull;

import dev.dray.db.ColumnInfo;
import dev.dray.db.Dialect;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The statements that would make a target table equal to its source for the rows a verify found
 * different (pt-table-sync's {@code --print}): {@code REPLACE} of the source's row for a row
 * missing or different in the target, {@code DELETE} by key for a row only the target holds. Values
 * are read over the connections (as text, binary columns as bytes, TIMESTAMPs as epoch seconds) and
 * written as literals by the {@link Dialect}; nothing is executed.
 */
final class FixStatements {
  private final Dialect dialect;
  private final Connection source;
  private final TableName sourceTable;
  private final Connection target;
  private final TableName targetTable;
  private final List<ColumnInfo> columns;
  private final List<ColumnInfo> key;

  /**
   * @param columns the columns compared (the REPLACE writes these)
   * @param key the key columns
   */
  FixStatements(
      Dialect dialect,
      Connection source,
      TableName sourceTable,
      Connection target,
      TableName targetTable,
      List<ColumnInfo> columns,
      List<ColumnInfo> key) {
    this.dialect = requireNonNull(dialect, "dialect is null");
    this.source = requireNonNull(source, "source is null");
    this.sourceTable = requireNonNull(sourceTable, "sourceTable is null");
    this.target = requireNonNull(target, "target is null");
    this.targetTable = requireNonNull(targetTable, "targetTable is null");
    this.columns = List.copyOf(columns);
    this.key = List.copyOf(key);
  }

  /**
   * One statement per difference, in the order given, after a {@code SET time_zone = '+00:00'}
   * (TIMESTAMP values are written as {@code FROM_UNIXTIME(seconds)}, the same instant in any zone;
   * UTC has no hour that happens twice). A row that changed since the verify found it is written as
   * it is now (a row gone from the source is deleted from the target).
   */
  List<String> statements(List<KeyDifference> differences) throws SQLException {
    List<String> statements = new ArrayList<>();
    statements.add("SET time_zone = '+00:00'");
    for (KeyDifference difference : differences) {
      if (difference.keyValues().size() != key.size()) {
        throw new IllegalArgumentException("no key values for " + difference.key());
      }
      if (difference.kind() == KeyDifference.Kind.EXTRA_IN_TARGET) {
        List<String> keyRow = readRow(target, targetTable, key, difference.keyValues());
        if (keyRow != null) {
          statements.add(dialect.deleteRowText(targetTable, names(key), keyRow));
        }
        continue;
      }
      List<String> row = readRow(source, sourceTable, columns, difference.keyValues());
      if (row != null) {
        statements.add(dialect.replaceRowText(targetTable, names(columns), row));
      } else {
        List<String> keyRow = readRow(target, targetTable, key, difference.keyValues());
        if (keyRow != null) {
          statements.add(dialect.deleteRowText(targetTable, names(key), keyRow));
        }
      }
    }
    return statements;
  }

  /** The literals of {@code wanted} in the row of {@code table} with this key, or null if none. */
  private List<String> readRow(
      Connection connection, TableName table, List<ColumnInfo> wanted, List<Object> keyValues)
      throws SQLException {
    StringJoiner where = new StringJoiner(" AND ");
    for (ColumnInfo column : key) {
      where.add(dialect.quote(column.name()) + " = ?");
    }
    StringJoiner select = new StringJoiner(", ");
    wanted.forEach(column -> select.add(dialect.literalSource(column)));
    String sql = "SELECT " + select + " FROM " + dialect.quote(table) + " WHERE " + where;
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      for (int i = 0; i < keyValues.size(); i++) {
        ps.setObject(i + 1, keyValues.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        List<String> literals = new ArrayList<>(wanted.size());
        for (int i = 0; i < wanted.size(); i++) {
          ColumnInfo column = wanted.get(i);
          Object value = dialect.readsAsBytes(column) ? rs.getBytes(i + 1) : rs.getString(i + 1);
          literals.add(dialect.literal(column, value));
        }
        return literals;
      }
    }
  }

  private static List<String> names(List<ColumnInfo> columns) {
    return columns.stream().map(ColumnInfo::name).toList();
  }
}
