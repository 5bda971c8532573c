package dev.dray.copy;

import dev.dray.db.ColumnInfo;
import dev.dray.db.Dialect;
import dev.dray.db.TableInfo;
import dev.dray.db.TableName;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Source and target on different servers: streams the range from the source and writes it with
 * multi-row {@code INSERT ... VALUES (...), (...)} statements of {@link #BATCH_ROWS} rows, counting
 * the rows read and the rows the target took. Binary columns travel as bytes and temporal ones as
 * text (both sessions in UTC), so no value is reinterpreted on the way.
 */
final class StreamingMover extends ChunkMover {
  static final int BATCH_ROWS = 500;

  private static final Set<String> BYTES =
      Set.of(
          "binary",
          "varbinary",
          "tinyblob",
          "blob",
          "mediumblob",
          "longblob",
          "bit",
          "geometry",
          "point",
          "linestring",
          "polygon");
  private static final Set<String> TEXT = Set.of("date", "datetime", "timestamp", "time", "year");

  private enum Transfer {
    OBJECT,
    BYTES,
    TEXT
  }

  private final Connection source;
  private final String selectPrefix;
  private final String insertPrefix;
  private final String rowPlaceholders;
  private final List<Transfer> transfers = new ArrayList<>();
  private PreparedStatement fullBatch;

  StreamingMover(
      Connection source,
      Connection target,
      Dialect dialect,
      TableInfo sourceInfo,
      TableName targetTable,
      CopyColumns columns,
      boolean overwrite) {
    super(target, dialect, targetTable, columns.keyColumns(), overwrite);
    this.source = source;
    String list = dialect.quotedList(columns.names());
    this.selectPrefix = "SELECT " + list + " FROM " + dialect.quote(sourceInfo.name()) + " WHERE ";
    this.insertPrefix =
        "INSERT INTO "
            + dialect.quote(targetTable)
            + " ("
            + dialect.quotedList(columns.targetNames())
            + ") VALUES ";
    this.rowPlaceholders =
        "(" + String.join(", ", Collections.nCopies(columns.names().size(), "?")) + ")";
    for (String name : columns.names()) {
      ColumnInfo column = sourceInfo.column(name).orElseThrow();
      transfers.add(
          BYTES.contains(column.dataType())
              ? Transfer.BYTES
              : TEXT.contains(column.dataType()) ? Transfer.TEXT : Transfer.OBJECT);
    }
  }

  @Override
  Copied copy(KeyRange range) throws SQLException {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    int width = transfers.size();
    long read = 0;
    long inserted = 0;
    List<Object[]> batch = new ArrayList<>(BATCH_ROWS);
    try (PreparedStatement select = source.prepareStatement(selectPrefix + where.sql())) {
      select.setFetchSize(BATCH_ROWS);
      where.bind(select, 1);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          Object[] row = new Object[width];
          for (int i = 0; i < width; i++) {
            row[i] =
                switch (transfers.get(i)) {
                  case BYTES -> rs.getBytes(i + 1);
                  case TEXT -> rs.getString(i + 1);
                  case OBJECT -> rs.getObject(i + 1);
                };
          }
          batch.add(row);
          read++;
          if (batch.size() == BATCH_ROWS) {
            inserted += write(batch);
            batch.clear();
          }
        }
      }
    }
    if (!batch.isEmpty()) {
      inserted += write(batch);
    }
    return new Copied(read, inserted);
  }

  private long write(List<Object[]> rows) throws SQLException {
    PreparedStatement statement;
    boolean full = rows.size() == BATCH_ROWS;
    if (full) {
      if (fullBatch == null) {
        fullBatch = target.prepareStatement(insertSql(BATCH_ROWS));
      }
      statement = fullBatch;
    } else {
      statement = target.prepareStatement(insertSql(rows.size()));
    }
    try {
      int index = 1;
      for (Object[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          Object value = row[i];
          if (value == null) {
            statement.setObject(index++, null);
          } else if (value instanceof byte[] bytes) {
            statement.setBytes(index++, bytes);
          } else if (value instanceof String text) {
            statement.setString(index++, text);
          } else {
            statement.setObject(index++, value);
          }
        }
      }
      return statement.executeUpdate();
    } finally {
      if (!full) {
        statement.close();
      }
    }
  }

  private String insertSql(int rows) {
    StringBuilder sql =
        new StringBuilder(insertPrefix.length() + rows * (rowPlaceholders.length() + 2));
    sql.append(insertPrefix);
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(rowPlaceholders);
    }
    return sql.toString();
  }

  @Override
  public void close() throws SQLException {
    if (fullBatch != null) {
      fullBatch.close();
      fullBatch = null;
    }
  }
}
