package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialect;
import dev.dray.db.QueueStatements;
import dev.dray.db.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One connection to a queue, for one thread. Every operation is one short READ COMMITTED
 * transaction that commits before returning: no lock is ever held while a handler runs. Deadlocks
 * and lock wait timeouts are rolled back and retried here (they are counted, never thrown).
 */
public final class QueueSession implements AutoCloseable {
  private static final int LOCK_CONFLICT_RETRIES = 20;
  private static final int MAX_ERROR_LENGTH = 2000;

  /** How often claims look for scheduled jobs that are due (the most they become ready late). */
  static final Duration PROMOTE_EVERY = Duration.ofMillis(500);

  /** Five parameters a row must stay below the protocol's 65,535 placeholders. */
  static final int MAX_ROWS_PER_STATEMENT = 13_000;

  private final JobQueue queue;
  private final QueueStatements sql;
  private final Connection connection;
  private long lastPromotion = System.nanoTime() - PROMOTE_EVERY.toNanos();

  /** Whether delayed jobs go in with multi-row {@code INSERT ... RETURNING} (MariaDB 10.5+). */
  private boolean batchDelayed;

  QueueSession(JobQueue queue, Connection connection) {
    this.queue = queue;
    this.sql = queue.sql();
    this.connection = connection;
    this.batchDelayed = queue.dialect().supportsInsertReturning();
    try (Statement statement = connection.createStatement()) {
      // READ COMMITTED: no gap locks, so inserts never wait for a claim's scan (the
      // insert-intention
      // deadlocks of Solid Queue issue 229), and locks on rows a scan rejects are released at once.
      statement.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
      statement.execute("SET SESSION innodb_lock_wait_timeout = 10");
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      closeQuietly();
      throw failure("open a session", e);
    }
  }

  /**
   * Claims up to {@code max} ready jobs in claim order, skipping rows other workers hold, and
   * leases them to {@code owner} for {@code lease}. One transaction: SELECT ... FOR UPDATE SKIP
   * LOCKED, one UPDATE of those ids, COMMIT.
   */
  public List<ClaimedJob> claim(String owner, int max, Duration lease) {
    return completeAndClaim(owner, List.of(), max, lease);
  }

  /**
   * Completes the previous batch and claims the next one in the same transaction: one commit (one
   * log flush) per batch instead of two. The completed rows are this owner's leased rows, which no
   * claim's scan of ready rows ever touches, so the two parts cannot wait on each other.
   */
  public List<ClaimedJob> completeAndClaim(
      String owner, Collection<Long> completed, int max, Duration lease) {
    return completeAndClaim(owner, completed, max, lease, max);
  }

  /**
   * As {@link #completeAndClaim(String, Collection, int, Duration)}, charging an attempt only to
   * the first {@code charge} claimed jobs (in claim order); the others must be charged with {@link
   * #chargeAttempts} before they start, and given back with {@link #releaseUncharged} if they do
   * not. A worker that dies mid-batch then leaves its unstarted jobs uncharged.
   */
  public List<ClaimedJob> completeAndClaim(
      String owner, Collection<Long> completed, int max, Duration lease, int charge) {
    requireNonNull(owner, "owner is null");
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    String completedList = completed.isEmpty() ? null : QueueStatements.idList(completed);
    if (queue.hasScheduleTable() && System.nanoTime() - lastPromotion >= PROMOTE_EVERY.toNanos()) {
      promoteDue();
    }
    return withRetry(
        "claim jobs",
        () -> {
          if (completedList != null) {
            completeInTransaction(owner, completedList);
          }
          List<ClaimedJob> jobs = new ArrayList<>(Math.min(max, 1024));
          List<Long> ids = new ArrayList<>(Math.min(max, 1024));
          try (PreparedStatement select = connection.prepareStatement(sql.claimSelect)) {
            select.setInt(1, max);
            try (ResultSet rs = select.executeQuery()) {
              while (rs.next()) {
                long id = rs.getLong(1);
                int attempts = rs.getInt(2);
                int jobMax = rs.getObject(3) == null ? queue.maxAttempts() : rs.getInt(3);
                jobs.add(
                    new ClaimedJob(
                        id, rs.getString(4), attempts + 1, jobMax, Math.max(0, rs.getLong(5))));
                ids.add(id);
              }
            }
          }
          if (!ids.isEmpty()) {
            try (PreparedStatement update =
                connection.prepareStatement(
                    charge >= ids.size()
                        ? sql.leaseUpdatePrefix + QueueStatements.idList(ids)
                        : sql.leaseUpdate(ids.subList(0, Math.max(1, charge)), ids))) {
              update.setString(1, owner);
              update.setLong(2, micros(lease));
              update.executeUpdate();
            }
          }
          connection.commit();
          return jobs;
        });
  }

  /**
   * Makes scheduled jobs whose time has come ready (claimable), at most {@value
   * QueueStatements#PROMOTE_BATCH} of them, in due order, in one transaction: their schedule rows
   * are taken with SKIP LOCKED, so concurrent workers promote different jobs. Claims call this at
   * most every {@link #PROMOTE_EVERY}; returns how many jobs became ready.
   */
  public int promoteDue() {
    lastPromotion = System.nanoTime();
    if (!queue.hasScheduleTable()) {
      return 0;
    }
    return withRetry(
        "make due jobs ready",
        () -> {
          List<Long> ids = selectIds(sql.promoteSelect, QueueStatements.PROMOTE_BATCH);
          int ready = 0;
          if (!ids.isEmpty()) {
            String idList = QueueStatements.idList(ids);
            try (Statement statement = connection.createStatement()) {
              ready = statement.executeUpdate(sql.promoteUpdatePrefix + idList);
              statement.executeUpdate(sql.promoteDeletePrefix + idList);
            }
          }
          connection.commit();
          return ready;
        });
  }

  /**
   * Binds a job's payload, priority, delay, max attempts and idempotency key from parameter {@code
   * p} on, in the column order of {@link QueueStatements#insertRow}; returns the next parameter
   * index.
   */
  private static int bindJob(PreparedStatement insert, int p, NewJob job) throws SQLException {
    insert.setString(p, job.payload());
    insert.setInt(p + 1, job.priority());
    insert.setLong(p + 2, micros(job.delay()));
    if (job.maxAttempts() == null) {
      insert.setNull(p + 3, java.sql.Types.INTEGER);
    } else {
      insert.setInt(p + 3, job.maxAttempts());
    }
    insert.setString(p + 4, job.idempotencyKey());
    return p + 5;
  }

  /** The ids a {@code SELECT id ... LIMIT ?} returns (within the current transaction). */
  private List<Long> selectIds(String select, int limit) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(select)) {
      statement.setInt(1, limit);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  /** Writes the schedule row of a job just put in the scheduled state (same transaction). */
  private void schedule(long id) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(sql.scheduleInsert)) {
      insert.setLong(1, id);
      insert.executeUpdate();
    }
  }

  /** Completes jobs: deletes them, or moves them to the done table when the queue has one. */
  public int complete(String owner, Collection<Long> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    String idList = QueueStatements.idList(ids);
    return withRetry(
        "complete jobs",
        () -> {
          int deleted = completeInTransaction(owner, idList);
          connection.commit();
          return deleted;
        });
  }

  private int completeInTransaction(String owner, String idList) throws SQLException {
    if (queue.hasDoneTable()) {
      try (PreparedStatement move = connection.prepareStatement(sql.moveToDonePrefix + idList)) {
        move.setString(1, owner);
        move.executeUpdate();
      }
    }
    try (PreparedStatement delete = connection.prepareStatement(sql.deletePrefix + idList)) {
      delete.setString(1, owner);
      return delete.executeUpdate();
    }
  }

  /**
   * Records a failed attempt: the job becomes ready again after a backoff, or dead with {@code
   * error} as its last error when it has used its attempts. Returns true if it is now dead.
   */
  public boolean fail(String owner, ClaimedJob job, String error) {
    String message = error == null ? "failed" : error;
    String lastError =
        message.length() > MAX_ERROR_LENGTH ? message.substring(0, MAX_ERROR_LENGTH) : message;
    Duration delay = queue.retryDelay(job.attempt());
    boolean schedule = queue.hasScheduleTable() && micros(delay) > 0;
    return withRetry(
        "record failure of job " + job.id(),
        () -> {
          int updated;
          try (PreparedStatement update = connection.prepareStatement(sql.failUpdate)) {
            update.setInt(1, queue.maxAttempts());
            update.setInt(2, schedule ? QueueStatements.SCHEDULED : QueueStatements.READY);
            update.setLong(3, micros(delay));
            update.setString(4, lastError);
            update.setLong(5, job.id());
            update.setString(6, owner);
            updated = update.executeUpdate();
          }
          if (updated == 1 && schedule) {
            // nothing when the job just died (its state is then dead, not scheduled)
            schedule(job.id());
          }
          connection.commit();
          return job.lastAttempt();
        });
  }

  /** Gives claimed jobs back unstarted: ready at once, the attempt not counted. */
  public int release(String owner, Collection<Long> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    return updateOwned("release jobs", sql.releasePrefix, owner, ids, null);
  }

  /** Gives claimed jobs back that were never charged an attempt: ready at once. */
  public int releaseUncharged(String owner, Collection<Long> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    return updateOwned("release jobs", sql.releaseUnchargedPrefix, owner, ids, null);
  }

  /**
   * Charges an attempt to leased jobs that are about to start; returns the ids that are no longer
   * leased to {@code owner} (their lease expired and someone else took them), which must not run.
   */
  public java.util.Set<Long> chargeAttempts(String owner, Collection<Long> ids) {
    if (ids.isEmpty()) {
      return java.util.Set.of();
    }
    String idList = QueueStatements.idList(ids);
    return withRetry(
        "charge attempts",
        () -> {
          java.util.Set<Long> notOurs = new java.util.HashSet<>(ids);
          int updated;
          try (PreparedStatement update = connection.prepareStatement(sql.chargePrefix + idList)) {
            update.setString(1, owner);
            updated = update.executeUpdate();
          }
          if (updated == ids.size()) {
            notOurs.clear();
          } else {
            try (PreparedStatement select =
                connection.prepareStatement(sql.ownedSelectPrefix + idList)) {
              select.setString(1, owner);
              try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                  notOurs.remove(rs.getLong(1));
                }
              }
            }
          }
          connection.commit();
          return notOurs;
        });
  }

  /** Extends the leases of jobs still being worked on (heartbeat). */
  public int extendLeases(String owner, Collection<Long> ids, Duration lease) {
    if (ids.isEmpty()) {
      return 0;
    }
    return updateOwned("extend leases", sql.extendPrefix, owner, ids, lease);
  }

  /**
   * Makes jobs whose lease expired claimable again (or dead when they used their attempts): their
   * worker crashed or stalled. Returns how many were reclaimed.
   */
  public int reclaimExpired(int limit) {
    return withRetry(
        "reclaim expired leases",
        () -> {
          List<Long> ids = selectIds(sql.expiredSelect, limit);
          int updated = 0;
          if (!ids.isEmpty()) {
            try (PreparedStatement update =
                connection.prepareStatement(
                    sql.expiredUpdatePrefix + QueueStatements.idList(ids))) {
              update.setInt(1, queue.maxAttempts());
              updated = update.executeUpdate();
            }
          }
          connection.commit();
          return updated;
        });
  }

  /** Whether any job is ready, delayed or leased (dead jobs do not count). */
  public boolean hasOpenJobs() {
    return withRetry(
        "check for open jobs",
        () -> {
          boolean open;
          try (Statement statement = connection.createStatement();
              ResultSet rs = statement.executeQuery(sql.openJobsExist)) {
            open = rs.next() && rs.getBoolean(1);
          }
          connection.commit();
          return open;
        });
  }

  /** Enqueues jobs with multi-row INSERT IGNORE statements, each committed on its own. */
  public EnqueueResult enqueue(List<NewJob> jobs) {
    return enqueue(jobs, QueueStatements.ROWS_PER_INSERT);
  }

  /** Enqueues jobs, {@code rowsPerCommit} per multi-row INSERT IGNORE statement and commit. */
  public EnqueueResult enqueue(List<NewJob> jobs, int rowsPerCommit) {
    if (rowsPerCommit < 1 || rowsPerCommit > MAX_ROWS_PER_STATEMENT) {
      throw DrayException.usage(
          "rows per insert must be 1.." + MAX_ROWS_PER_STATEMENT + ", got " + rowsPerCommit);
    }
    requireIdempotencyIndexFor(queue, jobs);
    long inserted = 0;
    for (int from = 0; from < jobs.size(); from += rowsPerCommit) {
      List<NewJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + rowsPerCommit));
      try {
        inserted += insertChunk(chunk);
      } catch (DrayException e) {
        if (from == 0) {
          throw e;
        }
        throw new DrayException(
            e.code(),
            e.getMessage() + " (the first " + from + " of " + jobs.size() + " jobs were enqueued)",
            e);
      }
    }
    return new EnqueueResult(jobs.size(), inserted);
  }

  /**
   * Refuses, before anything is written, jobs with an idempotency key when the queue table has no
   * idempotency index (INSERT IGNORE would enqueue the duplicates the key was meant to stop).
   */
  static void requireIdempotencyIndexFor(JobQueue queue, List<NewJob> jobs) {
    if (queue.hasIdempotencyIndex()) {
      return;
    }
    for (int i = 0; i < jobs.size(); i++) {
      if (jobs.get(i).idempotencyKey() != null) {
        queue.requireIdempotencyIndex(
            jobs.size() == 1
                ? "the job has an idempotency key"
                : "job " + (i + 1) + " of " + jobs.size() + " has an idempotency key");
      }
    }
  }

  private int insertChunk(List<NewJob> chunk) {
    List<NewJob> now = chunk;
    List<NewJob> later = List.of();
    if (queue.hasScheduleTable() && chunk.stream().anyMatch(QueueSession::isDelayed)) {
      now = chunk.stream().filter(job -> !isDelayed(job)).toList();
      later = chunk.stream().filter(QueueSession::isDelayed).toList();
    }
    List<NewJob> ready = now;
    List<NewJob> delayed = later;
    // Only lock conflicts are retried: after a lost connection the insert may have committed, and
    // repeating it would enqueue jobs twice.
    return withRetry(
        "enqueue " + chunk.size() + " jobs",
        () -> {
          int count = ready.isEmpty() ? 0 : insertReady(ready);
          if (batchDelayed && !delayed.isEmpty()) {
            count += insertDelayedBatch(delayed);
          } else {
            for (NewJob job : delayed) {
              count += insertDelayed(job);
            }
          }
          connection.commit();
          return count;
        });
  }

  private static boolean isDelayed(NewJob job) {
    return micros(job.delay()) > 0;
  }

  /**
   * Delayed jobs go in with one multi-row insert, in the scheduled state, whose RETURNING clause
   * gives the id and visible_at of every row it inserted (nothing for a row ignored for a duplicate
   * idempotency key); one more multi-row insert writes exactly those schedule rows, due at the
   * visible_at the server computed for the job. Needs {@link Dialect#supportsInsertReturning()}.
   */
  private int insertDelayedBatch(List<NewJob> jobs) throws SQLException {
    List<Long> ids = new ArrayList<>(jobs.size());
    List<String> dueAt = new ArrayList<>(jobs.size());
    try (PreparedStatement insert =
        connection.prepareStatement(sql.insertScheduledReturning(jobs.size()))) {
      int p = 1;
      for (NewJob job : jobs) {
        p = bindJob(insert, p, job);
      }
      try (ResultSet rs = insert.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
          // as text, so the DATETIME(6) goes back to the server exactly, with no time zone applied
          dueAt.add(rs.getString(2));
        }
      }
    }
    if (ids.isEmpty()) {
      return 0;
    }
    try (PreparedStatement insert = connection.prepareStatement(sql.scheduleRows(ids.size()))) {
      int p = 1;
      for (int i = 0; i < ids.size(); i++) {
        insert.setString(p++, dueAt.get(i));
        insert.setLong(p++, ids.get(i));
      }
      insert.executeUpdate();
    }
    return ids.size();
  }

  /**
   * Where {@code INSERT ... RETURNING} is missing (MySQL, MariaDB before 10.5), a delayed job goes
   * in alone, in the scheduled state, so that its generated id is known for its schedule row (a
   * multi-row insert does not tell every id it generated).
   */
  private int insertDelayed(NewJob job) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(sql.insertScheduledJob, Statement.RETURN_GENERATED_KEYS)) {
      bindJob(insert, 1, job);
      if (insert.executeUpdate() == 0) {
        return 0; // a duplicate idempotency key: ignored
      }
      try (ResultSet keys = insert.getGeneratedKeys()) {
        if (!keys.next()) {
          throw new SQLException("the server did not return the id of a delayed job");
        }
        schedule(keys.getLong(1));
      }
      return 1;
    }
  }

  private int insertReady(List<NewJob> chunk) throws SQLException {
    int count;
    try (PreparedStatement insert =
        connection.prepareStatement(sql.insertStatement(chunk.size()))) {
      int p = 1;
      for (NewJob job : chunk) {
        p = bindJob(insert, p, job);
      }
      count = insert.executeUpdate();
    }
    return count;
  }

  QueueStats stats(Duration sample) {
    QueueStats first = readStats();
    if (sample.isZero() || sample.isNegative()) {
      return first;
    }
    long maxIdBefore = readLong(sql.maxId);
    long start = System.nanoTime();
    try {
      queue.sleeper().sleep(sample);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(
          ErrorCode.INTERRUPTED, "interrupted while sampling queue " + queue.name());
    }
    QueueStats second = readStats();
    long maxIdAfter = readLong(sql.maxId);
    double seconds = (System.nanoTime() - start) / 1e9;
    // Completed = open before + enqueued meanwhile - open after. Enqueued is read from the id
    // counter, so auto-increment gaps (rolled-back or ignored inserts) can overstate it a little.
    long completed =
        first.open() + (maxIdAfter - maxIdBefore) - second.open() - (second.dead() - first.dead());
    return second.withThroughput(Math.max(0, completed) / Math.max(seconds, 1e-3));
  }

  private QueueStats readStats() {
    return withRetry(
        "read queue stats",
        () -> {
          long ready = 0;
          long delayed = 0;
          long leased = 0;
          long dead = 0;
          long scheduled = 0;
          long dueScheduled = 0;
          try (Statement statement = connection.createStatement();
              ResultSet rs = statement.executeQuery(sql.stats)) {
            while (rs.next()) {
              int state = rs.getInt(1);
              long count = rs.getLong(2);
              long invisible = rs.getLong(3);
              switch (state) {
                case QueueStatements.READY -> {
                  delayed = invisible;
                  ready = count - invisible;
                }
                case QueueStatements.LEASED -> leased = count;
                case QueueStatements.SCHEDULED -> {
                  // due but not yet made ready by a worker: claimable at the next claim
                  scheduled = invisible;
                  dueScheduled = count - invisible;
                }
                case QueueStatements.DEAD -> dead = count;
                default -> {}
              }
            }
          }
          double oldest = readLong(sql.oldestReady) / 1e6;
          long done = -1;
          long lastMinute = -1;
          if (queue.hasDoneTable()) {
            try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql.doneLastMinute)) {
              rs.next();
              lastMinute = rs.getLong(1);
              done = rs.getLong(2);
            }
          }
          connection.commit();
          return new QueueStats(
              ready + dueScheduled,
              delayed + scheduled,
              leased,
              dead,
              done,
              oldest,
              lastMinute,
              -1);
        });
  }

  private long readLong(String query) {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw failure("read queue stats", e);
    }
  }

  private int updateOwned(
      String what, String prefix, String owner, Collection<Long> ids, Duration lease) {
    String statementText = prefix + QueueStatements.idList(ids);
    return withRetry(
        what,
        () -> {
          int updated;
          try (PreparedStatement update = connection.prepareStatement(statementText)) {
            int p = 1;
            if (lease != null) {
              update.setLong(p++, micros(lease));
            }
            update.setString(p, owner);
            updated = update.executeUpdate();
          }
          connection.commit();
          return updated;
        });
  }

  private interface SqlAction<T> {
    T run() throws SQLException;
  }

  /**
   * Runs one statement as its own committed transaction, retrying lock conflicts; for bulk
   * enqueue's chunked {@code INSERT ... SELECT} from the hold table. Returns the affected row
   * count.
   */
  int executeCommitted(String what, String statementText, long... parameters) {
    return withRetry(
        what,
        () -> {
          int count;
          try (PreparedStatement statement = connection.prepareStatement(statementText)) {
            for (int i = 0; i < parameters.length; i++) {
              statement.setLong(i + 1, parameters[i]);
            }
            count = statement.executeUpdate();
          }
          connection.commit();
          return count;
        });
  }

  /**
   * Runs a chunk move {@code (low, high]} and the statement that advances its part's frontier to
   * {@code high} in one committed transaction, retrying lock conflicts: after a crash the frontier
   * says exactly which chunks are in the queue. Returns the rows the move inserted.
   */
  int executeCommittedWithProgress(
      String what, String move, long low, long high, String advance, String id, int part) {
    return withRetry(
        what,
        () -> {
          int count;
          try (PreparedStatement statement = connection.prepareStatement(move)) {
            statement.setLong(1, low);
            statement.setLong(2, high);
            count = statement.executeUpdate();
            if (count < high - low) {
              refuseSkippedRows(low, high);
            }
          }
          try (PreparedStatement statement = connection.prepareStatement(advance)) {
            statement.setLong(1, high);
            statement.setLong(2, count);
            statement.setString(3, id);
            statement.setInt(4, part);
            statement.executeUpdate();
          }
          connection.commit();
          return count;
        });
  }

  /**
   * INSERT IGNORE may skip only rows whose idempotency key is queued already (duplicate key, 1062).
   * A move that inserted fewer rows than its range could hold is checked: any other warning (a NULL
   * or CHECK violation turned into a warning, say) means rows would be lost, so the chunk fails and
   * rolls back.
   */
  private void refuseSkippedRows(long low, long high) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW WARNINGS")) {
      while (rs.next()) {
        if (rs.getInt(2) != DUPLICATE_KEY) {
          throw new SQLException(
              "moving hold rows ("
                  + low
                  + ", "
                  + high
                  + "] into "
                  + queue.name()
                  + " would skip rows: "
                  + rs.getString(3)
                  + " (error "
                  + rs.getInt(2)
                  + "; nothing of this chunk was enqueued)");
        }
      }
    }
  }

  private static final int DUPLICATE_KEY = 1062;

  Connection connection() {
    return connection;
  }

  /** Whether this session enqueues delayed jobs with multi-row statements. */
  boolean batchesDelayedJobs() {
    return batchDelayed;
  }

  /** For tests: enqueue delayed jobs one row per statement, as without RETURNING. */
  void insertDelayedJobsOneByOne() {
    batchDelayed = false;
  }

  private <T> T withRetry(String what, SqlAction<T> action) {
    for (int attempt = 1; ; attempt++) {
      try {
        return action.run();
      } catch (SQLException e) {
        rollbackQuietly();
        if (SqlErrors.isLockConflict(e) && attempt < LOCK_CONFLICT_RETRIES) {
          queue.countLockConflict();
          pause(attempt);
          continue;
        }
        throw failure(what, e);
      }
    }
  }

  private void pause(int attempt) {
    try {
      long millis = ThreadLocalRandom.current().nextLong(1, 5L * Math.min(attempt, 10) + 2);
      queue.sleeper().sleep(Duration.ofMillis(millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(
          ErrorCode.INTERRUPTED, "interrupted while retrying on queue " + queue.name());
    }
  }

  private DrayException failure(String what, SQLException e) {
    if (SqlErrors.isConnectionLost(e)) {
      return new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "lost the database while trying to "
              + what
              + " on queue "
              + queue.name()
              + " at "
              + queue.connection().safeUrl()
              + ": "
              + SqlErrors.describe(e),
          e);
    }
    if (SqlErrors.isNoSuchTable(e)) {
      return new DrayException(
          ErrorCode.NOT_FOUND,
          "queue table " + queue.table() + " is gone: " + SqlErrors.describe(e),
          e);
    }
    return new DrayException(
        ErrorCode.TASK_FAILED,
        "cannot " + what + " on queue " + queue.name() + ": " + SqlErrors.describe(e),
        e);
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // the connection may be gone; the server rolls back on disconnect anyway
    }
  }

  private void closeQuietly() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // nothing to do
    }
  }

  static long micros(Duration duration) {
    return duration.toNanos() / 1000;
  }

  @Override
  public void close() {
    rollbackQuietly();
    closeQuietly();
  }
}
