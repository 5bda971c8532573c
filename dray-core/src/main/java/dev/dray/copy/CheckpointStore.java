package dev.dray.copy;

import static java.util.Objects.requireNonNull;

import dev.dray.db.Dialect;
import dev.dray.db.TableName;
import dev.dray.plan.KeyCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Optional;

/**
 * The {@code _dray_checkpoint} table on the target, in the target table's schema: one row per job.
 * Updates only move forward ({@code frontier_sequence} grows), so a late writer can never drag the
 * checkpoint back.
 */
final class CheckpointStore {
  static final String TABLE = "_dray_checkpoint";

  private final Dialect dialect;
  private final TableName table;
  private final String jobId;

  CheckpointStore(Dialect dialect, String targetSchema, String jobId) {
    this.dialect = requireNonNull(dialect, "dialect is null");
    this.table = new TableName(targetSchema, TABLE);
    this.jobId = requireNonNull(jobId, "jobId is null");
  }

  TableName table() {
    return table;
  }

  /**
   * Creates the table unless it exists (checked first: CREATE ... IF NOT EXISTS needs the CREATE
   * privilege).
   */
  void createTable(Connection connection) throws SQLException {
    if (exists(connection)) {
      return;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + dialect.quote(table)
              + " ("
              + "job_id VARCHAR(190) NOT NULL PRIMARY KEY,"
              + " source_table VARCHAR(600) NOT NULL,"
              + " target_table VARCHAR(600) NOT NULL,"
              + " frontier_sequence BIGINT NOT NULL,"
              + " last_range TEXT NULL,"
              + " rows_copied BIGINT NOT NULL,"
              + " chunk_rows BIGINT NOT NULL,"
              + " finished TINYINT NOT NULL DEFAULT 0,"
              + " updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
              + ") "
              + dialect.tableOptions());
    }
  }

  Optional<Checkpoint> read(Connection connection) throws SQLException {
    if (!exists(connection)) {
      return Optional.empty();
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT source_table, target_table, frontier_sequence, last_range, rows_copied, chunk_rows, finished, updated_at FROM "
                + dialect.quote(table)
                + " WHERE job_id = ?")) {
      ps.setString(1, jobId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        String range = rs.getString(4);
        Timestamp updated = rs.getTimestamp(8);
        return Optional.of(
            new Checkpoint(
                jobId,
                rs.getString(1),
                rs.getString(2),
                new FrontierPosition(
                    rs.getLong(3),
                    range == null ? null : KeyCodec.decodeRange(range),
                    rs.getLong(5)),
                rs.getLong(6),
                rs.getBoolean(7),
                updated == null ? null : updated.toInstant()));
      }
    }
  }

  private boolean exists(Connection connection) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Starts the job afresh: the frontier before the first chunk. */
  void reset(Connection connection, String sourceTable, String targetTable, long chunkRows)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            dialect.insertOrReplaceInto()
                + " "
                + dialect.quote(table)
                + " (job_id, source_table, target_table, frontier_sequence, last_range, rows_copied, chunk_rows, finished, updated_at)"
                + " VALUES (?, ?, ?, -1, NULL, 0, ?, 0, CURRENT_TIMESTAMP(6))")) {
      ps.setString(1, jobId);
      ps.setString(2, sourceTable);
      ps.setString(3, targetTable);
      ps.setLong(4, chunkRows);
      ps.executeUpdate();
    }
  }

  /** Moves the checkpoint forward to {@code position} (within the caller's transaction). */
  void advance(Connection connection, FrontierPosition position, long chunkRows)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "UPDATE "
                + dialect.quote(table)
                + " SET frontier_sequence = ?, last_range = ?, rows_copied = ?, chunk_rows = ?, updated_at = CURRENT_TIMESTAMP(6)"
                + " WHERE job_id = ? AND frontier_sequence < ?")) {
      ps.setLong(1, position.sequence());
      ps.setString(2, KeyCodec.encodeRange(position.lastRange()));
      ps.setLong(3, position.rowsCopied());
      ps.setLong(4, chunkRows);
      ps.setString(5, jobId);
      ps.setLong(6, position.sequence());
      ps.executeUpdate();
    }
  }

  void markFinished(Connection connection) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "UPDATE "
                + dialect.quote(table)
                + " SET finished = 1, updated_at = CURRENT_TIMESTAMP(6) WHERE job_id = ?")) {
      ps.setString(1, jobId);
      ps.executeUpdate();
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
