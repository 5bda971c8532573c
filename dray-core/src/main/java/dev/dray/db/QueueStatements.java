package dev.dray.db;

import java.util.Collection;
import java.util.StringJoiner;

/**
 * Every statement dray runs against one queue (MySQL-family SQL), built once from the {@link
 * Dialect}. The claim order is always the {@code claim_order} index (state, priority, id), so
 * concurrent claims, completions and heartbeats lock rows in primary-key order within a priority
 * and never wait on each other in a cycle.
 */
public final class QueueStatements {
  public static final int READY = 0;
  public static final int LEASED = 1;
  public static final int DEAD = 2;

  /** Delayed: not claimable until made ready by its schedule row ({@code NAME_schedule}). */
  public static final int SCHEDULED = 3;

  /** Due jobs made ready per promotion transaction. */
  public static final int PROMOTE_BATCH = 1000;

  /**
   * Rows per multi-row INSERT: keeps statements well below max_allowed_packet and 65,535
   * parameters.
   */
  public static final int ROWS_PER_INSERT = 1000;

  public final String table;
  public final String doneTable;
  public final String holdTable;
  public final String claimSelect;
  public final String leaseUpdatePrefix;
  public final String leaseWithoutChargeStart;
  public final String chargePrefix;
  public final String ownedSelectPrefix;
  public final String releaseUnchargedPrefix;
  public final String insertPrefix;
  public final String insertRow;
  public final String deletePrefix;
  public final String moveToDonePrefix;
  public final String failUpdate;
  public final String releasePrefix;
  public final String extendPrefix;
  public final String expiredSelect;
  public final String expiredUpdatePrefix;
  public final String openJobsExist;
  public final String stats;
  public final String insertScheduledPrefix;
  public final String insertScheduledRow;
  public final String insertScheduledJob;
  public final String scheduleRowsPrefix;
  public final String scheduleInsert;
  public final String promoteSelect;
  public final String promoteUpdatePrefix;
  public final String promoteDeletePrefix;
  public final String oldestReady;
  public final String doneLastMinute;
  public final String maxId;

  public QueueStatements(
      Dialect dialect, TableName queueTable, TableName done, TableName schedule, TableName hold) {
    table = dialect.quote(queueTable);
    String scheduleTable = dialect.quote(schedule);
    doneTable = dialect.quote(done);
    holdTable = dialect.quote(hold);
    claimSelect =
        "SELECT id, attempts, max_attempts, payload, TIMESTAMPDIFF(MICROSECOND, GREATEST(created_at, visible_at), NOW(6))"
            + " FROM "
            + table
            + " WHERE state = "
            + READY
            + " AND visible_at <= NOW(6) ORDER BY state, priority, id LIMIT ? "
            + dialect.skipLockedClause();
    leaseUpdatePrefix =
        "UPDATE "
            + table
            + " SET state = "
            + LEASED
            + ", attempts = attempts + 1, lease_owner = ?, lease_until = NOW(6) + INTERVAL ? MICROSECOND WHERE id IN ";
    leaseWithoutChargeStart =
        "UPDATE " + table + " SET state = " + LEASED + ", attempts = attempts + (id IN ";
    chargePrefix =
        "UPDATE "
            + table
            + " SET attempts = attempts + 1 WHERE lease_owner = ? AND state = "
            + LEASED
            + " AND id IN ";
    ownedSelectPrefix =
        "SELECT id FROM " + table + " WHERE lease_owner = ? AND state = " + LEASED + " AND id IN ";
    releaseUnchargedPrefix =
        "UPDATE "
            + table
            + " SET state = "
            + READY
            + ", lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND id IN ";
    insertPrefix =
        "INSERT IGNORE INTO "
            + table
            + " (payload, priority, visible_at, max_attempts, idempotency_key) VALUES ";
    insertRow = "(?, ?, NOW(6) + INTERVAL ? MICROSECOND, ?, ?)";
    insertScheduledPrefix =
        "INSERT IGNORE INTO "
            + table
            + " (payload, priority, visible_at, max_attempts, idempotency_key, state) VALUES ";
    insertScheduledRow = "(?, ?, NOW(6) + INTERVAL ? MICROSECOND, ?, ?, " + SCHEDULED + ")";
    insertScheduledJob = insertScheduledPrefix + insertScheduledRow;
    scheduleRowsPrefix = "INSERT INTO " + scheduleTable + " (due_at, id) VALUES ";
    scheduleInsert =
        "INSERT INTO "
            + scheduleTable
            + " (due_at, id) SELECT visible_at, id FROM "
            + table
            + " WHERE id = ? AND state = "
            + SCHEDULED;
    promoteSelect =
        "SELECT id FROM "
            + scheduleTable
            + " WHERE due_at <= NOW(6) ORDER BY due_at, id LIMIT ? "
            + dialect.skipLockedClause();
    promoteUpdatePrefix =
        "UPDATE " + table + " SET state = " + READY + " WHERE state = " + SCHEDULED + " AND id IN ";
    promoteDeletePrefix = "DELETE FROM " + scheduleTable + " WHERE id IN ";
    deletePrefix = "DELETE FROM " + table + " WHERE lease_owner = ? AND id IN ";
    moveToDonePrefix =
        "INSERT INTO "
            + doneTable
            + " (id, payload, attempts, created_at, completed_at, idempotency_key)"
            + " SELECT id, payload, attempts, created_at, NOW(6), idempotency_key FROM "
            + table
            + " WHERE lease_owner = ? AND id IN ";
    failUpdate =
        "UPDATE "
            + table
            + " SET state = IF(attempts >= COALESCE(max_attempts, ?), "
            + DEAD
            + ", ?), visible_at = NOW(6) + INTERVAL ? MICROSECOND, last_error = ?, lease_owner = NULL, lease_until = NULL"
            + " WHERE id = ? AND lease_owner = ?";
    releasePrefix =
        "UPDATE "
            + table
            + " SET state = "
            + READY
            + ", attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL"
            + " WHERE lease_owner = ? AND id IN ";
    extendPrefix =
        "UPDATE "
            + table
            + " SET lease_until = NOW(6) + INTERVAL ? MICROSECOND WHERE lease_owner = ? AND id IN ";
    expiredSelect =
        "SELECT id FROM "
            + table
            + " WHERE state = "
            + LEASED
            + " AND lease_until < NOW(6) ORDER BY state, priority, id LIMIT ? "
            + dialect.skipLockedClause();
    expiredUpdatePrefix =
        "UPDATE "
            + table
            + " SET state = IF(attempts >= COALESCE(max_attempts, ?), "
            + DEAD
            + ", "
            + READY
            + "), last_error = CONCAT('lease expired (worker ', COALESCE(lease_owner, '?'), ' gone or too slow)'),"
            + " lease_owner = NULL, lease_until = NULL, visible_at = NOW(6) WHERE state = "
            + LEASED
            + " AND id IN ";
    openJobsExist =
        "SELECT EXISTS (SELECT 1 FROM "
            + table
            + " WHERE state IN ("
            + READY
            + ", "
            + LEASED
            + ", "
            + SCHEDULED
            + "))";
    stats = "SELECT state, COUNT(*), SUM(visible_at > NOW(6)) FROM " + table + " GROUP BY state";
    oldestReady =
        "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(created_at), NOW(6)) FROM "
            + table
            + " WHERE state = "
            + READY
            + " AND visible_at <= NOW(6)";
    doneLastMinute =
        "SELECT COUNT(*), (SELECT COUNT(*) FROM "
            + doneTable
            + ") FROM "
            + doneTable
            + " WHERE completed_at > NOW(6) - INTERVAL 60 SECOND";
    maxId = "SELECT COALESCE(MAX(id), 0) FROM " + table;
  }

  /**
   * {@code (1, 2, 3)} for ids in ascending order. Ids are longs read from the table, never user
   * text, so writing them into the statement is safe; sorting them makes every statement lock rows
   * in primary-key order.
   */
  public static String idList(Collection<Long> ids) {
    StringJoiner joiner = new StringJoiner(", ", "(", ")");
    ids.stream().sorted().forEach(id -> joiner.add(Long.toString(id)));
    return joiner.toString();
  }

  /**
   * The lease update of a claim that charges an attempt to {@code charged} of the claimed jobs only
   * (the others are charged when they start).
   */
  public String leaseUpdate(Collection<Long> charged, Collection<Long> all) {
    return leaseWithoutChargeStart
        + idList(charged)
        + "), lease_owner = ?, lease_until = NOW(6) + INTERVAL ? MICROSECOND WHERE id IN "
        + idList(all);
  }

  public String insertStatement(int rows) {
    return multiRow(insertPrefix, insertRow, rows, "");
  }

  /**
   * A multi-row insert of scheduled jobs that returns the id and visible_at of each row it inserted
   * (rows ignored for a duplicate idempotency key return nothing); MariaDB 10.5+ only.
   */
  public String insertScheduledReturning(int rows) {
    return multiRow(insertScheduledPrefix, insertScheduledRow, rows, " RETURNING id, visible_at");
  }

  /** A multi-row insert of schedule rows, {@code (due_at, id)} parameters per row. */
  public String scheduleRows(int rows) {
    return multiRow(scheduleRowsPrefix, "(?, ?)", rows, "");
  }

  private static String multiRow(String prefix, String row, int rows, String suffix) {
    StringBuilder sql =
        new StringBuilder(prefix.length() + rows * (row.length() + 2) + suffix.length());
    sql.append(prefix);
    for (int i = 0; i < rows; i++) {
      if (i > 0) {
        sql.append(", ");
      }
      sql.append(row);
    }
    return sql.append(suffix).toString();
  }
}
