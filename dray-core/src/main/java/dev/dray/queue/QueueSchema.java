package dev.dray.queue;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialect;
import dev.dray.db.QueueDdl;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates and checks a queue's tables. Why the schema looks like this (docs/QUEUE.md has the long
 * version):
 *
 * <ul>
 *   <li>One secondary index, {@code claim_order (state, priority, id)}: claims read ready rows in
 *       exactly this order, so a claim touches only the rows it takes (plus rows others hold, which
 *       SKIP LOCKED passes over). Every extra index is one more lock per row on every claim and
 *       delete, which is where Laravel's and Solid Queue's deadlocks came from.
 *   <li>Completion deletes by primary key, never through a secondary index (Solid Queue PR 240).
 *   <li>Jobs never move between tables while queued: state changes are updates of one row.
 *   <li>The idempotency key is a nullable column in every queue table, but its UNIQUE index is
 *       opt-in ({@code dray queue init --idempotency-keys}): every secondary index costs every
 *       insert and delete (moving 1M jobs from a hold table took 5.5-6.7 s with it and 4.1-4.7 s
 *       without). With the index, NULLs never collide and duplicates are skipped by {@code INSERT
 *       IGNORE} (after the payload was validated in Java, so IGNORE cannot hide a bad row); without
 *       it, jobs that carry a key are refused before anything is written.
 *   <li>Delayed jobs (enqueued with a delay, or waiting out a retry backoff) are not ready: they
 *       have state 3 (scheduled), so claims, which read only state 0, never scan past them. A
 *       pointer per delayed job, {@code (due_at, id)}, waits in {@code NAME_schedule}, whose
 *       primary key is due order; workers move due jobs to state 0 in small SKIP LOCKED batches.
 *       With the delay kept in the queue table alone, 100,000 delayed jobs ahead of the ready ones
 *       made every claim scan them (about 340 ms per claim instead of under 1 ms).
 * </ul>
 */
public final class QueueSchema {
  private QueueSchema() {}

  /**
   * Creates the queue table (with the idempotency index if asked), its schedule table, and the done
   * table if asked; existing tables are kept as they are (so running init again adds the schedule
   * table to a queue created by an older dray).
   */
  static void create(
      Connection connection,
      Dialect dialect,
      QueueTables tables,
      boolean withDoneTable,
      boolean idempotencyIndex)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(QueueDdl.createQueueTable(dialect, tables.queue(), idempotencyIndex));
      statement.execute(QueueDdl.createScheduleTable(dialect, tables.schedule()));
      if (withDoneTable) {
        statement.execute(QueueDdl.createDoneTable(dialect, tables.done()));
      }
    }
  }

  /**
   * Whether the table has a UNIQUE index on exactly {@code idempotency_key} (whatever its name), so
   * that {@code INSERT IGNORE} skips duplicate keys.
   */
  static boolean hasIdempotencyIndex(Connection connection, TableName table) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT index_name FROM information_schema.statistics"
                + " WHERE table_schema = ? AND table_name = ? AND non_unique = 0"
                + " GROUP BY index_name HAVING COUNT(*) = 1"
                + " AND MAX(LOWER(column_name)) = 'idempotency_key' AND MAX(sub_part) IS NULL")) {
      select.setString(1, table.schema());
      select.setString(2, table.table());
      try (ResultSet rs = select.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Whether a table exists; the queue's own checks use it to fail early with a clear message. */
  static boolean exists(Connection connection, TableName table) {
    try {
      DatabaseMetaData meta = connection.getMetaData();
      try (ResultSet rs =
          meta.getTables(table.schema(), null, table.table(), new String[] {"TABLE"})) {
        while (rs.next()) {
          if (table.table().equalsIgnoreCase(rs.getString("TABLE_NAME"))) {
            return true;
          }
        }
      }
      return false;
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot look up table " + table + ": " + SqlErrors.describe(e),
          e);
    }
  }
}
