package dev.dray.copy;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import dev.dray.plan.Task;
import dev.dray.run.Worker;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Compares one range at a time: a count and checksum on each server; when they differ, the rows'
 * keys and hashes on both sides, to name the differing keys.
 */
final class VerifyWorker implements Worker<Task> {
  /** What one range looked like on both sides. */
  record Outcome(
      long sourceRows, long targetRows, RangeDifference difference, List<KeyDifference> keys) {}

  private final ConnectionConfig sourceConfig;
  private final ConnectionConfig targetConfig;
  private final TableName targetTable;
  private final RowChecksum checksum;
  private final int keyColumns;
  private final Consumer<Outcome> outcomes;
  private Connection source;
  private Connection target;

  VerifyWorker(
      ConnectionConfig sourceConfig,
      ConnectionConfig targetConfig,
      TableName targetTable,
      RowChecksum checksum,
      int keyColumns,
      Consumer<Outcome> outcomes)
      throws SQLException {
    this.sourceConfig = sourceConfig;
    this.targetConfig = targetConfig;
    this.targetTable = targetTable;
    this.checksum = checksum;
    this.keyColumns = keyColumns;
    this.outcomes = outcomes;
    connect();
  }

  private void connect() throws SQLException {
    source = open(sourceConfig);
    target = open(targetConfig);
  }

  /** Both sides in UTC, so TIMESTAMP columns read alike on servers in different time zones. */
  private static Connection open(ConnectionConfig config) throws SQLException {
    return SessionConnections.open(config, null, true);
  }

  @Override
  public void process(Task chunk) throws SQLException {
    Fingerprint onSource =
        fingerprint(source, checksum.rangeChecksum(chunk.table(), chunk.range()));
    Fingerprint onTarget = fingerprint(target, checksum.rangeChecksum(targetTable, chunk.range()));
    if (onSource.equals(onTarget)) {
      outcomes.accept(new Outcome(onSource.rows, onTarget.rows, null, List.of()));
      return;
    }
    List<KeyDifference> keys = differingKeys(chunk.table(), chunk.range());
    outcomes.accept(
        new Outcome(
            onSource.rows,
            onTarget.rows,
            new RangeDifference(chunk.range().toString(), onSource.rows, onTarget.rows),
            keys));
  }

  private record Fingerprint(long rows, BigDecimal sum, String xor) {}

  private static Fingerprint fingerprint(Connection connection, SqlFragment query)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
      query.bind(statement, 1);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new Fingerprint(rs.getLong(1), rs.getBigDecimal(2), rs.getString(3));
      }
    }
  }

  private List<KeyDifference> differingKeys(TableName sourceTable, KeyRange range)
      throws SQLException {
    Map<String, HashedRow> sourceRows = rowHashes(source, checksum.rowHashes(sourceTable, range));
    Map<String, HashedRow> targetRows = rowHashes(target, checksum.rowHashes(targetTable, range));
    List<KeyDifference> differences = new ArrayList<>();
    for (Map.Entry<String, HashedRow> row : sourceRows.entrySet()) {
      HashedRow other = targetRows.get(row.getKey());
      if (other == null) {
        differences.add(
            new KeyDifference(
                row.getKey(), KeyDifference.Kind.MISSING_IN_TARGET, row.getValue().key()));
      } else if (!Objects.equals(other.hash(), row.getValue().hash())) {
        differences.add(
            new KeyDifference(row.getKey(), KeyDifference.Kind.DIFFERENT, row.getValue().key()));
      }
    }
    for (Map.Entry<String, HashedRow> row : targetRows.entrySet()) {
      if (!sourceRows.containsKey(row.getKey())) {
        differences.add(
            new KeyDifference(
                row.getKey(), KeyDifference.Kind.EXTRA_IN_TARGET, row.getValue().key()));
      }
    }
    return differences;
  }

  /** A row's key values and hash. */
  private record HashedRow(List<Object> key, String hash) {}

  /** Key text to key values and row hash, in key order. */
  private Map<String, HashedRow> rowHashes(Connection connection, SqlFragment query)
      throws SQLException {
    Map<String, HashedRow> rows = new LinkedHashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
      query.bind(statement, 1);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          List<Object> key = new ArrayList<>(keyColumns);
          for (int i = 1; i <= keyColumns; i++) {
            key.add(rs.getObject(i));
          }
          String text = new KeyRange(key, null).toString();
          rows.put(
              text.substring(1, text.indexOf(" .. ")),
              new HashedRow(key, rs.getString(keyColumns + 1)));
        }
      }
    }
    return rows;
  }

  @Override
  public void recover(Exception failure) throws SQLException {
    close();
    connect();
  }

  @Override
  public void close() {
    for (Connection connection : new Connection[] {source, target}) {
      try {
        if (connection != null) {
          connection.close();
        }
      } catch (SQLException e) {
        // broken already
      }
    }
  }
}
