package dev.dray.db;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a table's columns, key, partitions and row estimate from information_schema. */
public final class TableInspector {
  private final Connection connection;

  public TableInspector(Connection connection) {
    this.connection = connection;
  }

  /** Describes the table; a missing table is a {@link ErrorCode#NOT_FOUND} error. */
  public TableInfo inspect(TableName table) {
    try {
      long estimatedRows = tableRows(table);
      List<ColumnInfo> columns = columns(table);
      if (columns.isEmpty()) {
        throw new DrayException(
            ErrorCode.NOT_FOUND,
            "table " + table + " does not exist (or is not visible to this user)");
      }
      KeyChoice key = key(table, columns);
      List<PartitionInfo> partitions = partitions(table);
      return new TableInfo(table, columns, key.columns, key.primary, partitions, estimatedRows);
    } catch (SQLException e) {
      ErrorCode code =
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED;
      throw new DrayException(
          code, "cannot read the definition of " + table + ": " + SqlErrors.describe(e), e);
    }
  }

  /** Whether the table exists. */
  public boolean exists(TableName table) {
    try {
      return tableRows(table) >= 0;
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "cannot look up " + table + ": " + SqlErrors.describe(e), e);
    }
  }

  /** Whether the table holds no row. */
  public boolean isEmpty(TableName table) {
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT 1 FROM " + quote(table) + " LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      return !rs.next();
    } catch (SQLException e) {
      ErrorCode code =
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED;
      throw new DrayException(code, "cannot read " + table + ": " + SqlErrors.describe(e), e);
    }
  }

  private String quote(TableName table) {
    return Dialects.detect(connection).quote(table);
  }

  /** Whether the name is a view rather than a base table (false when it does not exist). */
  public boolean isView(TableName table) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && "VIEW".equalsIgnoreCase(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "cannot look up " + table + ": " + SqlErrors.describe(e), e);
    }
  }

  private long tableRows(TableName table) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Math.max(0, rs.getLong(1)) : -1;
      }
    }
  }

  private List<ColumnInfo> columns(TableName table) throws SQLException {
    List<ColumnInfo> columns = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,"
                + " NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_MAXIMUM_LENGTH,"
                + " EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
                + " ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String extra = rs.getString(10);
          boolean generated =
              extra != null
                  && (extra.toUpperCase().contains("GENERATED")
                      || extra.toUpperCase().contains("VIRTUAL")
                      || extra.toUpperCase().contains("PERSISTENT")
                      || extra.toUpperCase().contains("STORED"));
          columns.add(
              new ColumnInfo(
                  rs.getString(1),
                  rs.getInt(2),
                  rs.getString(3),
                  rs.getString(4),
                  "YES".equals(rs.getString(5)),
                  intOrMinusOne(rs, 6),
                  intOrMinusOne(rs, 7),
                  intOrMinusOne(rs, 8),
                  rs.getObject(9) == null ? -1 : rs.getLong(9),
                  generated));
        }
      }
    }
    return columns;
  }

  private record KeyChoice(List<ColumnInfo> columns, boolean primary) {}

  private KeyChoice key(TableName table, List<ColumnInfo> columns) throws SQLException {
    Map<String, List<String>> uniqueIndexes = new LinkedHashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0"
                + " ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          uniqueIndexes
              .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(rs.getString(2));
        }
      }
    }
    for (Map.Entry<String, List<String>> index : uniqueIndexes.entrySet()) {
      List<ColumnInfo> keyColumns = new ArrayList<>();
      boolean usable = true;
      for (String name : index.getValue()) {
        ColumnInfo column =
            columns.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
        if (column == null || column.nullable()) {
          usable = false;
          break;
        }
        keyColumns.add(column);
      }
      if (usable) {
        return new KeyChoice(keyColumns, index.getKey().equals("PRIMARY"));
      }
    }
    return new KeyChoice(List.of(), false);
  }

  private List<PartitionInfo> partitions(TableName table) throws SQLException {
    List<PartitionInfo> partitions = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT PARTITION_NAME, SUBPARTITION_NAME, TABLE_ROWS FROM information_schema.PARTITIONS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL"
                + " ORDER BY PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String partition = rs.getString(1);
          String subpartition = rs.getString(2);
          long rows = Math.max(0, rs.getLong(3));
          partitions.add(
              subpartition == null
                  ? new PartitionInfo(partition, null, rows)
                  : new PartitionInfo(subpartition, partition, rows));
        }
      }
    }
    return partitions;
  }

  private static int intOrMinusOne(ResultSet rs, int column) throws SQLException {
    Object value = rs.getObject(column);
    return value == null ? -1 : ((Number) value).intValue();
  }
}
