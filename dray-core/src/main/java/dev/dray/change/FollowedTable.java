package dev.dray.change;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.db.TableName;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table the change stream follows, with what decoding its row images needs. The log's TABLE_MAP
 * event numbers columns only (names need {@code binlog_row_metadata=FULL}), so column {@code i} of
 * an image is the table's column at ordinal position {@code i + 1}, as information_schema lists
 * them when the stream starts; a table map with another column count means the table changed shape,
 * and the stream stops rather than guess.
 *
 * @param info the table's columns and key
 * @param keyIndexes positions of the key columns in {@link #columns()}
 */
public record FollowedTable(
    TableInfo info, List<Integer> keyIndexes, List<ColumnDecoder> decoders) {
  public FollowedTable {
    requireNonNull(info, "info is null");
    keyIndexes = List.copyOf(keyIndexes);
    decoders = List.copyOf(decoders);
  }

  public TableName name() {
    return info.name();
  }

  public List<ColumnInfo> columns() {
    return info.columns();
  }

  public List<String> keyColumns() {
    return keyIndexes.stream().map(i -> info.columns().get(i).name()).toList();
  }

  /** The key values of a row image, in key order. */
  public List<Object> key(List<Object> row) {
    List<Object> key = new ArrayList<>(keyIndexes.size());
    for (int index : keyIndexes) {
      key.add(row.get(index));
    }
    return key;
  }

  /** Reads the table's shape; a table without a primary key or unique NOT NULL key is refused. */
  public static FollowedTable inspect(Connection connection, TableName table, boolean mysqlJson)
      throws SQLException {
    TableInfo info = new TableInspector(connection).inspect(table);
    if (!info.hasKey()) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "table "
              + table
              + " has no primary key or unique key over NOT NULL columns: its changes cannot be"
              + " applied by key; add a primary key");
    }
    Map<String, String[]> extra = new HashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          extra.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
        }
      }
    }
    List<ColumnDecoder> decoders = new ArrayList<>();
    for (ColumnInfo column : info.columns()) {
      String[] more = extra.getOrDefault(column.name(), new String[] {column.columnType(), null});
      decoders.add(new ColumnDecoder(column, more[0], more[1], mysqlJson));
    }
    List<Integer> keyIndexes = new ArrayList<>();
    for (ColumnInfo keyColumn : info.key()) {
      keyIndexes.add(info.columns().indexOf(info.column(keyColumn.name()).orElseThrow()));
    }
    return new FollowedTable(info, keyIndexes, decoders);
  }

  /**
   * Decodes one row image; {@code present} says which columns the image carries (all of them with
   * binlog_row_image=FULL).
   */
  List<Object> decode(Serializable[] cells, BitSet present, int columnCount) {
    if (columnCount != decoders.size() || present.cardinality() != decoders.size()) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "the binary log holds "
              + present.cardinality()
              + " of "
              + columnCount
              + " columns for "
              + name()
              + ", which has "
              + decoders.size()
              + " now: the table changed shape (ALTER) or binlog_row_image is not FULL;"
              + " the change stream stops here and the copy must start afresh");
    }
    List<Object> row = new ArrayList<>(cells.length);
    for (int i = 0; i < cells.length; i++) {
      row.add(decoders.get(i).decode(cells[i]));
    }
    return row;
  }
}
