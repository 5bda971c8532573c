package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.AutoIncLockMode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.QueueDdl;
import dev.dray.db.QueueStatements;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import dev.dray.run.RetryPolicy;
import dev.dray.run.Sleeper;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database-backed job queue: one table in a MariaDB/MySQL database. Producers {@link #enqueue}
 * jobs; workers claim batches with {@code SELECT ... FOR UPDATE SKIP LOCKED} through a {@link
 * QueueSession} (or let {@link QueueWorkers} do it). Delivery is at-least-once: a job leaves the
 * table only when a worker completes it, and a lease that expires (a crashed worker) makes the job
 * claimable again.
 *
 * <pre>{@code
 * JobQueue.init(config, "emails", JobQueue.InitOptions.defaults().withIdempotencyKeys(true));
 * JobQueue queue = JobQueue.builder().connection(config).queue("emails").build();
 * queue.enqueue(NewJob.of("{\"to\":\"a@example.com\"}"));
 * QueueWorkers.builder(queue).workers(4).handler(job -> send(job.payload())).build().run();
 * }</pre>
 */
public final class JobQueue {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);

  private final ConnectionConfig connection;
  private final QueueName name;
  private final QueueTables tables;
  private final Dialect dialect;
  private final QueueStatements sql;
  private final boolean doneTable;
  private final boolean scheduleTable;
  private final boolean idempotencyIndex;
  private final int autoincLockMode;
  private final int maxAttempts;
  private final RetryPolicy retryBackoff;
  private final Sleeper sleeper;
  private final AtomicLong lockConflictsRetried = new AtomicLong();

  private JobQueue(Builder builder) {
    this.connection = requireNonNull(builder.connection, "connection is null");
    this.name = new QueueName(requireNonNull(builder.queue, "queue is null"));
    if (builder.maxAttempts < 1) {
      throw DrayException.usage("--max-attempts must be at least 1, got " + builder.maxAttempts);
    }
    if (builder.retryBackoff.isNegative()
        || builder.maxRetryBackoff.compareTo(builder.retryBackoff) < 0) {
      throw DrayException.usage("retry backoff must be >= 0 and not above the max retry backoff");
    }
    this.maxAttempts = builder.maxAttempts;
    this.retryBackoff =
        new RetryPolicy(maxAttempts, builder.retryBackoff, builder.maxRetryBackoff, t -> true);
    this.sleeper = builder.sleeper;
    try (Connection c = Connections.open(connection)) {
      this.dialect = Dialects.detect(c);
      String schema = currentSchema(c, connection);
      this.tables = QueueTables.of(schema, name);
      if (!QueueSchema.exists(c, tables.queue())) {
        throw new DrayException(
            ErrorCode.NOT_FOUND,
            "queue '"
                + name
                + "' does not exist in database "
                + schema
                + " at "
                + connection.safeUrl()
                + " (create it with: dray queue init --db URL --queue "
                + name
                + ")");
      }
      this.doneTable = QueueSchema.exists(c, tables.done());
      this.scheduleTable = QueueSchema.exists(c, tables.schedule());
      if (!scheduleTable) {
        LOG.warn(
            "queue {} has no schedule table {} (made by an older dray): delayed jobs stay in the"
                + " claim order and slow claims down; run dray queue init --queue {} again to add it",
            name,
            tables.schedule(),
            name);
      }
      this.idempotencyIndex = QueueSchema.hasIdempotencyIndex(c, tables.queue());
      this.autoincLockMode = AutoIncLockMode.read(c);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot open queue " + name + ": " + SqlErrors.describe(e),
          e);
    }
    this.sql =
        new QueueStatements(
            dialect,
            tables.queue(),
            tables.done(),
            tables.schedule(),
            tables.queue().withTable(name.holdTable()));
    LOG.debug(
        "queue {} at {}: done table {}, idempotency index {}, autoinc lock mode {}, max attempts {},"
            + " delayed jobs in multi-row inserts {}",
        name,
        connection.safeUrl(),
        doneTable,
        idempotencyIndex,
        autoincLockMode,
        maxAttempts,
        dialect.supportsInsertReturning());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the queue's table (and its done table when {@code withDoneTable}) without the
   * idempotency index. Safe to run again: existing tables are kept.
   */
  public static InitResult init(ConnectionConfig config, String queue, boolean withDoneTable) {
    return init(config, queue, InitOptions.defaults().withDoneTable(withDoneTable));
  }

  /**
   * Creates the queue's table (and its done table, and the idempotency index, when the options ask
   * for them) in the database the URL names. Safe to run again: existing tables are kept, except
   * that {@link InitOptions#idempotencyKeys()} adds the idempotency index to an existing queue
   * table that lacks it.
   */
  public static InitResult init(ConnectionConfig config, String queue, InitOptions options) {
    requireNonNull(options, "options is null");
    QueueName name = new QueueName(queue);
    try (Connection c = Connections.open(config)) {
      Dialect dialect = Dialects.detect(c);
      QueueTables tables = QueueTables.of(currentSchema(c, config), name);
      boolean existed = QueueSchema.exists(c, tables.queue());
      QueueSchema.create(c, dialect, tables, options.doneTable(), options.idempotencyKeys());
      boolean index = QueueSchema.hasIdempotencyIndex(c, tables.queue());
      boolean added = false;
      if (options.idempotencyKeys() && !index) {
        try (Statement statement = c.createStatement()) {
          statement.execute(QueueDdl.addIdempotencyIndex(dialect, tables.queue()));
        } catch (SQLException e) {
          throw new DrayException(
              ErrorCode.TASK_FAILED,
              "cannot add the idempotency index to "
                  + tables.queue()
                  + " (are there duplicate idempotency keys?): "
                  + SqlErrors.describe(e),
              e);
        }
        index = true;
        added = true;
      }
      return new InitResult(
          tables.queue().toString(),
          options.doneTable() ? tables.done().toString() : null,
          !existed,
          index,
          added);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TASK_FAILED, "cannot create queue " + name + ": " + SqlErrors.describe(e), e);
    }
  }

  /**
   * How {@link #init} creates a queue.
   *
   * @param doneTable also create {@code NAME_done}: completed jobs are moved there instead of
   *     deleted
   * @param idempotencyKeys give the queue table the UNIQUE index on {@code idempotency_key} (added
   *     to an existing table that lacks it), so jobs may carry idempotency keys; every secondary
   *     index slows every insert and delete, so it is off by default
   */
  public record InitOptions(boolean doneTable, boolean idempotencyKeys) {
    /** No done table, no idempotency index. */
    public static InitOptions defaults() {
      return new InitOptions(false, false);
    }

    public InitOptions withDoneTable(boolean on) {
      return new InitOptions(on, idempotencyKeys);
    }

    public InitOptions withIdempotencyKeys(boolean on) {
      return new InitOptions(doneTable, on);
    }
  }

  /**
   * What {@link #init} did.
   *
   * @param table the queue table
   * @param doneTable the done table, or null when none was asked for
   * @param created whether the queue table was created (false: it existed and was kept)
   * @param idempotencyKeys whether the queue table now has the idempotency index
   * @param idempotencyIndexAdded whether the index was added to an existing table just now
   */
  public record InitResult(
      String table,
      String doneTable,
      boolean created,
      boolean idempotencyKeys,
      boolean idempotencyIndexAdded) {}

  /** Opens a session: one connection for claiming, completing and enqueueing. Not thread-safe. */
  public QueueSession openSession() {
    return new QueueSession(this, Connections.open(connection));
  }

  /** Enqueues one job; returns false if its idempotency key is already queued. */
  public boolean enqueue(NewJob job) {
    return enqueue(List.of(job)).inserted() == 1;
  }

  /**
   * Enqueues jobs with multi-row inserts, committed every {@value QueueStatements#ROWS_PER_INSERT}
   * rows.
   */
  public EnqueueResult enqueue(List<NewJob> jobs) {
    try (QueueSession session = openSession()) {
      return session.enqueue(jobs);
    }
  }

  public QueueStats stats() {
    return stats(Duration.ZERO);
  }

  /** Counts jobs by state; with a sample duration, also measures completions per second over it. */
  public QueueStats stats(Duration sample) {
    try (QueueSession session = openSession()) {
      return session.stats(sample);
    }
  }

  public QueueName name() {
    return name;
  }

  public ConnectionConfig connection() {
    return connection;
  }

  public Dialect dialect() {
    return dialect;
  }

  public TableName table() {
    return tables.queue();
  }

  /**
   * Whether the queue has its schedule table (read when this queue was built): then delayed jobs
   * wait there instead of in the claim order.
   */
  public boolean hasScheduleTable() {
    return scheduleTable;
  }

  public boolean hasDoneTable() {
    return doneTable;
  }

  /**
   * Whether the queue table has the UNIQUE idempotency index (read when this queue was built): only
   * then may jobs carry idempotency keys.
   */
  public boolean hasIdempotencyIndex() {
    return idempotencyIndex;
  }

  /**
   * The server's {@code innodb_autoinc_lock_mode} as read when this queue was built; -1 unknown.
   */
  int autoincLockMode() {
    return autoincLockMode;
  }

  /**
   * Throws a usage error unless this queue's table has the idempotency index; {@code what} names
   * the job that carries a key.
   */
  void requireIdempotencyIndex(String what) {
    if (!idempotencyIndex) {
      throw DrayException.usage(
          what
              + ", but queue '"
              + name
              + "' ("
              + tables.queue()
              + " at "
              + connection.safeUrl()
              + ") has no idempotency index, so nothing was enqueued; enable idempotency keys with:"
              + " dray queue init --db "
              + connection.safeUrl()
              + " --queue "
              + name
              + " --idempotency-keys");
    }
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Deadlocks and lock wait timeouts that were retried inside this queue (never shown to callers).
   */
  public long lockConflictsRetried() {
    return lockConflictsRetried.get();
  }

  QueueStatements sql() {
    return sql;
  }

  QueueTables tables() {
    return tables;
  }

  Sleeper sleeper() {
    return sleeper;
  }

  /**
   * The wait before the next attempt after {@code attempt} failed: doubling with jitter, capped.
   */
  Duration retryDelay(int attempt) {
    return retryBackoff.backoff(attempt);
  }

  void countLockConflict() {
    lockConflictsRetried.incrementAndGet();
  }

  static String currentSchema(Connection c, ConnectionConfig config) throws SQLException {
    String schema = c.getCatalog();
    if (schema == null || schema.isBlank()) {
      throw DrayException.usage(
          "the URL must name a database (jdbc:mariadb://host:3306/DB): " + config.safeUrl());
    }
    return schema;
  }

  @Override
  public String toString() {
    return "queue " + name + " (" + tables.queue() + ")";
  }

  /** Settings of a queue; {@link #build()} checks that the queue exists. */
  public static final class Builder {
    private ConnectionConfig connection;
    private String queue;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
    private Sleeper sleeper = Sleeper.SYSTEM;

    private Builder() {}

    public Builder connection(ConnectionConfig config) {
      this.connection = config;
      return this;
    }

    public Builder queue(String queueName) {
      this.queue = queueName;
      return this;
    }

    /** Attempts before a job becomes dead, for jobs that do not set their own. */
    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** Wait before the first retry of a failed job; it doubles (with jitter) up to {@code max}. */
    public Builder retryBackoff(Duration first, Duration max) {
      this.retryBackoff = requireNonNull(first, "first is null");
      this.maxRetryBackoff = requireNonNull(max, "max is null");
      return this;
    }

    /** Where this queue's internal waits (lock-conflict retries) go; tests pass a fake. */
    public Builder sleeper(Sleeper newSleeper) {
      this.sleeper = requireNonNull(newSleeper, "sleeper is null");
      return this;
    }

    public JobQueue build() {
      return new JobQueue(this);
    }
  }
}
