package dev.dray.copy;

import static java.util.Objects.requireNonNull;

import dev.dray.db.BinlogPosition;
import dev.dray.db.Dialect;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The {@code _dray_binlog_position} table on the target, next to {@code _dray_checkpoint}: one row
 * per online job with the binary log position a restart reads from. The applier writes it in the
 * transaction that applies the changes it covers, so the row and the table never disagree.
 */
final class BinlogPositionStore {
  static final String TABLE = "_dray_binlog_position";

  private final Dialect dialect;
  private final TableName table;
  private final String jobId;

  BinlogPositionStore(Dialect dialect, String targetSchema, String jobId) {
    this.dialect = requireNonNull(dialect, "dialect is null");
    this.table = new TableName(targetSchema, TABLE);
    this.jobId = requireNonNull(jobId, "jobId is null");
  }

  TableName table() {
    return table;
  }

  void createTable(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + dialect.quote(table)
              + " (job_id VARCHAR(190) NOT NULL PRIMARY KEY,"
              + " binlog_file VARCHAR(512) NOT NULL,"
              + " binlog_pos BIGINT NOT NULL,"
              + " gtid TEXT NULL,"
              + " changes_applied BIGINT NOT NULL,"
              + " updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
              + ") "
              + dialect.tableOptions());
    }
  }

  Optional<BinlogPosition> read(Connection connection) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT binlog_file, binlog_pos, gtid FROM "
                + dialect.quote(table)
                + " WHERE job_id = ?")) {
      ps.setString(1, jobId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new BinlogPosition(rs.getString(1), rs.getLong(2), rs.getString(3)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      if (dev.dray.db.SqlErrors.isNoSuchTable(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Stores the position (within the caller's transaction). */
  void write(Connection connection, BinlogPosition position, long changesApplied)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE "
                + dialect.quote(table)
                + " SET binlog_file = ?, binlog_pos = ?, gtid = ?, changes_applied = ?,"
                + " updated_at = CURRENT_TIMESTAMP(6) WHERE job_id = ?")) {
      update.setString(1, position.file());
      update.setLong(2, position.position());
      update.setString(3, position.gtid());
      update.setLong(4, changesApplied);
      update.setString(5, jobId);
      if (update.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + dialect.quote(table)
                + " (job_id, binlog_file, binlog_pos, gtid, changes_applied) VALUES (?, ?, ?, ?, ?)")) {
      insert.setString(1, jobId);
      insert.setString(2, position.file());
      insert.setLong(3, position.position());
      insert.setString(4, position.gtid());
      insert.setLong(5, changesApplied);
      insert.executeUpdate();
    }
  }

  /** Removes this job's row (no error when the table or the row does not exist). */
  void delete(Connection connection) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("DELETE FROM " + dialect.quote(table) + " WHERE job_id = ?")) {
      ps.setString(1, jobId);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (!dev.dray.db.SqlErrors.isNoSuchTable(e)) {
        throw e;
      }
    }
  }
}
