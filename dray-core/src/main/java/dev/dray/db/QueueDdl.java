package dev.dray.db;

/**
 * The DDL of a queue's tables (MySQL-family SQL): the queue table, its schedule and done tables,
 * the bulk-enqueue record and hold tables. {@code dev.dray.queue.QueueSchema} says why each looks
 * as it does.
 */
public final class QueueDdl {
  private QueueDdl() {}

  /** The name of the optional UNIQUE index on {@code idempotency_key}. */
  public static final String IDEMPOTENCY_INDEX = "idempotency";

  public static String createQueueTable(
      Dialect dialect, TableName table, boolean idempotencyIndex) {
    return "CREATE TABLE IF NOT EXISTS "
        + dialect.quote(table)
        + " (\n"
        + "  id BIGINT NOT NULL AUTO_INCREMENT,\n"
        + "  state TINYINT NOT NULL DEFAULT 0 COMMENT '0 ready, 1 leased, 2 dead, 3 scheduled',\n"
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
        + "  KEY claim_order (state, priority, id)"
        + (idempotencyIndex
            ? ",\n  UNIQUE KEY " + IDEMPOTENCY_INDEX + " (idempotency_key)\n"
            : "\n")
        + ") "
        + dialect.tableOptions();
  }

  /** Adds the idempotency index to an existing queue table (InnoDB builds it online). */
  public static String addIdempotencyIndex(Dialect dialect, TableName table) {
    return "ALTER TABLE "
        + dialect.quote(table)
        + " ADD UNIQUE KEY "
        + IDEMPOTENCY_INDEX
        + " (idempotency_key)";
  }

  public static String createDoneTable(Dialect dialect, TableName table) {
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
        + ") "
        + dialect.tableOptions();
  }

  /**
   * One row per scheduled job (state 3) of the queue table: when it is due and which job it is.
   * Written in the same transaction that schedules the job; deleted when the job is made ready.
   */
  public static String createScheduleTable(Dialect dialect, TableName table) {
    return "CREATE TABLE IF NOT EXISTS "
        + dialect.quote(table)
        + " (\n"
        + "  due_at DATETIME(6) NOT NULL,\n"
        + "  id BIGINT NOT NULL COMMENT 'the job in the queue table',\n"
        + "  PRIMARY KEY (due_at, id),\n"
        + "  UNIQUE KEY job (id)\n"
        + ") "
        + dialect.tableOptions();
  }

  /**
   * One row per part of a bulk enqueue through a hold table: which hold table, how far its part of
   * the hold table's key range has been moved into the queue ({@code moved_to}, committed in the
   * same transaction as the chunk it covers), and whether the whole enqueue is done.
   */
  public static String createEnqueuesTable(Dialect dialect, TableName table) {
    return "CREATE TABLE IF NOT EXISTS "
        + dialect.quote(table)
        + " (\n"
        + "  enqueue_id VARCHAR(64) NOT NULL,\n"
        + "  part INT NOT NULL,\n"
        + "  state TINYINT NOT NULL COMMENT '0 filling, 1 moving, 2 done, 3 abandoned',\n"
        + "  hold_table VARCHAR(64) NOT NULL,\n"
        + "  range_from BIGINT NULL COMMENT 'exclusive',\n"
        + "  range_to BIGINT NULL COMMENT 'inclusive',\n"
        + "  moved_to BIGINT NULL COMMENT 'hold_id up to which this part is in the queue',\n"
        + "  submitted BIGINT NULL COMMENT 'rows in the hold table',\n"
        + "  inserted BIGINT NOT NULL DEFAULT 0,\n"
        + "  source VARCHAR(500) NULL,\n"
        + "  started_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n"
        + "  finished_at DATETIME(6) NULL,\n"
        + "  PRIMARY KEY (enqueue_id, part)\n"
        + ") "
        + dialect.tableOptions();
  }

  public static String createHoldTable(Dialect dialect, TableName table) {
    return "CREATE TABLE "
        + dialect.quote(table)
        + " (\n"
        + "  hold_id BIGINT NOT NULL AUTO_INCREMENT,\n"
        + "  payload LONGTEXT NOT NULL,\n"
        + "  priority SMALLINT NOT NULL DEFAULT 0,\n"
        + "  idempotency_key VARCHAR(191) NULL,\n"
        + "  PRIMARY KEY (hold_id)\n"
        + ") "
        + dialect.tableOptions();
  }
}
