package dev.dray.queue;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
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
 *   <li>The idempotency key is a nullable UNIQUE column: NULLs never collide, duplicates are
 *       skipped by {@code INSERT IGNORE} (after the payload was validated in Java, so IGNORE cannot
 *       hide a bad row).
 * </ul>
 */
public final class QueueSchema {
  private QueueSchema() {}

  static String createQueueTable(Dialect dialect, TableName table) {
    return "CREATE TABLE IF NOT EXISTS "
        + dialect.quote(table)
        + " (\n"
        + "  id BIGINT NOT NULL AUTO_INCREMENT,\n"
        + "  state TINYINT NOT NULL DEFAULT 0 COMMENT '0 ready, 1 leased, 2 dead',\n"
        + "  priority SMALLINT NOT NULL DEFAULT 0 COMMENT 'lower runs first',\n"
        + "  visible_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n"
        + "  attempts INT NOT NULL DEFAULT 0,\n"
        + "  max_attempts INT NULL COMMENT 'NULL: the workers'' default',\n"
        + "  lease_owner VARCHAR(100) NULL,\n"
        + "  lease_until DATETIME(6) NULL,\n"
        + "  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n"
        + "  idempotency_key VARCHAR(191) NULL,\n"
        + "  last_error VARCHAR(2000) NULL,\n"
        + "  payload JSON NOT NULL,\n"
        + "  PRIMARY KEY (id),\n"
        + "  KEY claim_order (state, priority, id),\n"
        + "  UNIQUE KEY idempotency (idempotency_key)\n"
        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  }

  static String createDoneTable(Dialect dialect, TableName table) {
    return "CREATE TABLE IF NOT EXISTS "
        + dialect.quote(table)
        + " (\n"
        + "  id BIGINT NOT NULL,\n"
        + "  payload JSON NOT NULL,\n"
        + "  attempts INT NOT NULL,\n"
        + "  created_at DATETIME(6) NOT NULL,\n"
        + "  completed_at DATETIME(6) NOT NULL,\n"
        + "  idempotency_key VARCHAR(191) NULL,\n"
        + "  PRIMARY KEY (id),\n"
        + "  KEY completed (completed_at)\n"
        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  }

  static String createHoldTable(Dialect dialect, TableName table) {
    return "CREATE TABLE "
        + dialect.quote(table)
        + " (\n"
        + "  hold_id BIGINT NOT NULL AUTO_INCREMENT,\n"
        + "  payload LONGTEXT NOT NULL,\n"
        + "  priority SMALLINT NOT NULL DEFAULT 0,\n"
        + "  idempotency_key VARCHAR(191) NULL,\n"
        + "  PRIMARY KEY (hold_id)\n"
        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  }

  /**
   * Creates the queue table (and the done table if asked); existing tables are kept as they are.
   */
  static void create(
      Connection connection, Dialect dialect, QueueTables tables, boolean withDoneTable)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(createQueueTable(dialect, tables.queue()));
      if (withDoneTable) {
        statement.execute(createDoneTable(dialect, tables.done()));
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
