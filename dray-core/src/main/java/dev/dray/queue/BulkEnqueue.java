package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.AutoIncLockMode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds many jobs to a live queue, on one database or on several shards in parallel, without
 * blocking live producers and workers for more than one chunk: every chunk is its own short
 * transaction.
 *
 * <p>Sources: a list of jobs, or a query whose rows become jobs (column {@code payload}, else the
 * first column; optional columns {@code priority} and {@code idempotency_key}). The query runs on
 * each shard itself (each shard queues its own rows) unless a separate source database is given,
 * whose rows are then spread over the shards by a hash of the idempotency key or payload.
 *
 * <p>With a hold table, rows are first written to a private {@code NAME_hold_xxxx} table (nobody
 * else touches it), checked, then moved into the queue by chunked {@code INSERT ... SELECT} in
 * primary-key order. When the query runs on the shard itself, filling the hold table is one
 * server-side statement, so no row crosses the network, and it runs as InnoDB's bulk insert into an
 * empty table ({@code unique_checks} and {@code foreign_key_checks} off for that one transaction).
 * A malformed payload found in the hold table stops the run before any job is enqueued. The hold
 * table's key range is then split into {@link Builder#movers} contiguous parts, each moved by its
 * own connection, chunk by chunk; on a server whose {@code innodb_autoinc_lock_mode} is below 2
 * (where every {@code INSERT ... SELECT} holds the queue table's AUTO-INC lock to its end, so
 * movers would only queue up behind each other) one mover does it all.
 */
public final class BulkEnqueue {
  public static final int DEFAULT_CHUNK_SIZE = 5_000;
  public static final int DEFAULT_MOVERS = 2;
  public static final int MAX_MOVERS = 32;
  private static final Logger LOG = LoggerFactory.getLogger(BulkEnqueue.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final List<ConnectionConfig> shards;
  private final String queueName;
  private final List<NewJob> jobs;
  private final String query;
  private final ConnectionConfig source;
  private final int chunkSize;
  private final boolean viaHoldTable;
  private final int movers;
  private final boolean forceParallelMovers;
  private final Set<String> warnedAutoinc = ConcurrentHashMap.newKeySet();

  private BulkEnqueue(Builder b) {
    if (b.shards.isEmpty()) {
      throw DrayException.usage("give at least one --db to enqueue into");
    }
    this.queueName = new QueueName(requireNonNull(b.queue, "queue is null")).name();
    if ((b.jobs == null) == (b.query == null)) {
      throw DrayException.usage("give either jobs or a query to enqueue, not both or neither");
    }
    if (b.chunkSize < 1 || b.chunkSize > QueueSession.MAX_ROWS_PER_STATEMENT) {
      throw DrayException.usage(
          "--chunk-size must be 1.."
              + QueueSession.MAX_ROWS_PER_STATEMENT
              + ", got "
              + b.chunkSize);
    }
    if (b.viaHoldTable && b.query == null) {
      throw DrayException.usage("--via-hold-table needs --from-query");
    }
    if (b.movers < 1 || b.movers > MAX_MOVERS) {
      throw DrayException.usage("--movers must be 1.." + MAX_MOVERS + ", got " + b.movers);
    }
    if (b.source != null && b.query == null) {
      throw DrayException.usage("--from needs --from-query");
    }
    this.shards = List.copyOf(b.shards);
    this.jobs = b.jobs;
    this.query = b.query;
    this.source = b.source;
    this.chunkSize = b.chunkSize;
    this.viaHoldTable = b.viaHoldTable;
    this.movers = b.movers;
    this.forceParallelMovers = b.forceParallelMovers;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Enqueues everything; shards are filled in parallel. */
  public BulkEnqueueResult run() {
    long start = System.nanoTime();
    List<JobQueue> queues = new ArrayList<>();
    for (ConnectionConfig shard : shards) {
      queues.add(JobQueue.builder().connection(shard).queue(queueName).build());
    }
    List<List<NewJob>> perShard = new ArrayList<>();
    if (jobs != null) {
      for (int i = 0; i < queues.size(); i++) {
        perShard.add(shardOf(jobs, i, queues.size()));
        QueueSession.requireIdempotencyIndexFor(queues.get(i), perShard.get(i));
      }
    } else {
      refuseKeyColumnWithoutIndex(queues);
    }
    List<EnqueueResult> results = new ArrayList<>();
    if (query != null && source != null) {
      results.addAll(new Router(queues).streamFrom(source));
    } else {
      ExecutorService pool =
          Executors.newFixedThreadPool(
              queues.size(), r -> new Thread(r, "dray-enqueue-" + THREADS.incrementAndGet()));
      try {
        List<Future<EnqueueResult>> futures = new ArrayList<>();
        for (int i = 0; i < queues.size(); i++) {
          JobQueue queue = queues.get(i);
          if (jobs != null) {
            List<NewJob> mine = perShard.get(i);
            futures.add(pool.submit(() -> enqueueList(queue, mine)));
          } else if (viaHoldTable) {
            futures.add(pool.submit(() -> serverSideViaHold(queue)));
          } else {
            futures.add(
                pool.submit(
                    () -> new Router(List.of(queue)).streamFrom(queue.connection()).get(0)));
          }
        }
        for (Future<EnqueueResult> future : futures) {
          results.add(await(future));
        }
      } finally {
        pool.shutdownNow();
      }
    }
    EnqueueResult total = results.stream().reduce(new EnqueueResult(0, 0), EnqueueResult::plus);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new BulkEnqueueResult(total.submitted(), total.inserted(), shards.size(), seconds);
  }

  /**
   * A query with an {@code idempotency_key} column is refused, before anything is written, when a
   * queue it would fill has no idempotency index.
   */
  private void refuseKeyColumnWithoutIndex(List<JobQueue> queues) {
    Boolean sourceHasKeys = null;
    for (JobQueue queue : queues) {
      if (queue.hasIdempotencyIndex()) {
        continue;
      }
      boolean keys;
      if (source != null) {
        if (sourceHasKeys == null) {
          sourceHasKeys = queryHasKeyColumn(source);
        }
        keys = sourceHasKeys;
      } else {
        keys = queryHasKeyColumn(queue.connection());
      }
      if (keys) {
        queue.requireIdempotencyIndex("the --from-query has an idempotency_key column");
      }
    }
  }

  private boolean queryHasKeyColumn(ConnectionConfig where) {
    try (Connection c = Connections.open(where)) {
      return SourceColumns.describe(c, query).idempotencyKey() != null;
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot check the --from-query on " + where.safeUrl() + ": " + SqlErrors.describe(e),
          e);
    }
  }

  private EnqueueResult enqueueList(JobQueue queue, List<NewJob> mine) {
    try (QueueSession session = queue.openSession()) {
      return session.enqueue(mine, Math.min(chunkSize, QueueSql.ROWS_PER_INSERT));
    }
  }

  /**
   * The query runs on the shard into a private hold table, which then moves over chunk by chunk.
   */
  private EnqueueResult serverSideViaHold(JobQueue queue) {
    Dialect dialect = queue.dialect();
    TableName hold = holdTableName(queue);
    try (QueueSession session = queue.openSession()) {
      Connection c = session.connection();
      SourceColumns columns = SourceColumns.describe(c, query);
      try (Statement statement = c.createStatement()) {
        statement.execute(QueueSchema.createHoldTable(dialect, hold));
        c.commit();
      }
      try {
        long submitted =
            insertIntoEmptyTable(
                c,
                "INSERT INTO "
                    + dialect.quote(hold)
                    + " (payload, priority, idempotency_key) SELECT "
                    + columns.selectList(dialect)
                    + " FROM ("
                    + query
                    + ") AS src");
        return moveFromHold(queue, session, hold, submitted);
      } finally {
        dropQuietly(c, dialect, hold);
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TASK_FAILED,
          "bulk enqueue into " + queue + " failed: " + SqlErrors.describe(e),
          e);
    }
  }

  /**
   * Runs one {@code INSERT} into a table nobody else writes and that was created empty just before,
   * as InnoDB's bulk insert: {@code unique_checks} and {@code foreign_key_checks} are off for this
   * one transaction only (MariaDB 10.6+ then builds the table's indexes in bulk instead of row by
   * row) and are restored to the session's previous values afterwards, also when the insert fails
   * (then it is rolled back). Nothing but that one table may be written in the transaction.
   */
  static long insertIntoEmptyTable(Connection c, String insert) throws SQLException {
    String uniqueChecks;
    String foreignKeyChecks;
    try (Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT @@SESSION.unique_checks, @@SESSION.foreign_key_checks")) {
      rs.next();
      uniqueChecks = rs.getLong(1) == 0 ? "0" : "1";
      foreignKeyChecks = rs.getLong(2) == 0 ? "0" : "1";
    }
    c.commit();
    Throwable failure = null;
    long rows = 0;
    try (Statement statement = c.createStatement()) {
      statement.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0");
      rows = statement.executeLargeUpdate(insert);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      failure = e;
      try {
        c.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
    }
    try (Statement statement = c.createStatement()) {
      statement.execute(
          "SET SESSION unique_checks = "
              + uniqueChecks
              + ", foreign_key_checks = "
              + foreignKeyChecks);
    } catch (SQLException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure instanceof SQLException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    return rows;
  }

  private EnqueueResult moveFromHold(
      JobQueue queue, QueueSession session, TableName hold, long submitted) throws SQLException {
    Dialect dialect = queue.dialect();
    Connection c = session.connection();
    String holdTable = dialect.quote(hold);
    long minHoldId;
    long maxHoldId;
    try (Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT (SELECT MIN(hold_id) FROM "
                    + holdTable
                    + " WHERE NOT JSON_VALID(payload)), "
                    + "(SELECT LEFT(payload, 80) FROM "
                    + holdTable
                    + " WHERE NOT JSON_VALID(payload) ORDER BY hold_id LIMIT 1), "
                    + "(SELECT COALESCE(MIN(hold_id), 1) FROM "
                    + holdTable
                    + "), (SELECT COALESCE(MAX(hold_id), 0) FROM "
                    + holdTable
                    + ")")) {
      rs.next();
      long bad = rs.getLong(1);
      if (!rs.wasNull()) {
        throw DrayException.usage(
            "malformed job payload in row "
                + bad
                + " of the query's result: "
                + rs.getString(2)
                + " (nothing was enqueued into "
                + queue
                + ")");
      }
      minHoldId = rs.getLong(3);
      maxHoldId = rs.getLong(4);
      c.commit();
    }
    String move =
        "INSERT IGNORE INTO "
            + dialect.quote(queue.table())
            + " (payload, priority, idempotency_key)"
            + " SELECT payload, priority, idempotency_key FROM "
            + holdTable
            + " WHERE hold_id > ? AND hold_id <= ? ORDER BY hold_id";
    long first = minHoldId - 1;
    long chunks = Math.max(0, (maxHoldId - first + chunkSize - 1) / chunkSize);
    int count = (int) Math.max(1, Math.min(moversFor(queue), chunks));
    Movers run = new Movers(queue, move, first, maxHoldId, chunks, count, submitted);
    long inserted = run.moveAll(session);
    LOG.debug(
        "moved {} of {} jobs from {} into {} with {} mover(s)",
        inserted,
        submitted,
        hold,
        queue,
        count);
    return new EnqueueResult(submitted, inserted);
  }

  /**
   * How many movers to use on this queue's server: the configured number, or one (with a warning,
   * once per server) when the server's {@code innodb_autoinc_lock_mode} is below 2. In modes 0 and
   * 1 every {@code INSERT ... SELECT} holds the table-level AUTO-INC lock until it ends, so
   * parallel movers run one after another anyway.
   */
  private int moversFor(JobQueue queue) {
    int mode = queue.autoincLockMode();
    boolean serializes =
        mode == AutoIncLockMode.UNKNOWN || AutoIncLockMode.locksWholeStatement(mode);
    if (movers == 1 || !serializes || forceParallelMovers) {
      return movers;
    }
    if (warnedAutoinc.add(queue.connection().safeUrl())) {
      LOG.warn(
          "innodb_autoinc_lock_mode is {} on {}: each INSERT ... SELECT holds the queue table's"
              + " AUTO-INC lock to its end (live inserts wait for a whole chunk, parallel movers"
              + " would run one after another), so the hold table is moved with 1 mover instead of"
              + " {}; set innodb_autoinc_lock_mode=2 in the server's configuration (needs a restart)"
              + " for parallel movers",
          mode < 0 ? "unknown" : Integer.toString(mode),
          queue.connection().safeUrl(),
          movers);
    }
    return 1;
  }

  /**
   * Moves the hold table's key range {@code (first, last]} into the queue: split into {@code count}
   * contiguous parts of whole chunks, one per mover, each on its own connection and committing
   * chunk by chunk. The first failure stops the others after their current chunk.
   */
  private final class Movers {
    private final JobQueue queue;
    private final String move;
    private final long first;
    private final long last;
    private final long chunks;
    private final int count;
    private final long submitted;
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Movers(
        JobQueue queue,
        String move,
        long first,
        long last,
        long chunks,
        int count,
        long submitted) {
      this.queue = queue;
      this.move = move;
      this.first = first;
      this.last = last;
      this.chunks = chunks;
      this.count = count;
      this.submitted = submitted;
    }

    /** Runs mover 0 on {@code session} in this thread and the others on their own connections. */
    long moveAll(QueueSession session) {
      ExecutorService pool =
          count == 1
              ? null
              : Executors.newFixedThreadPool(
                  count - 1, r -> new Thread(r, "dray-mover-" + THREADS.incrementAndGet()));
      List<Future<?>> others = new ArrayList<>();
      try {
        for (int i = 1; i < count; i++) {
          int mover = i;
          others.add(
              pool.submit(
                  () -> {
                    try (QueueSession own = queue.openSession()) {
                      moveRange(own, mover);
                    } catch (Throwable t) {
                      fail(t);
                    }
                  }));
        }
        try {
          moveRange(session, 0);
        } catch (Throwable t) {
          fail(t);
        }
        boolean interrupted = false;
        for (Future<?> future : others) {
          while (true) {
            try {
              future.get();
              break;
            } catch (InterruptedException e) {
              // stop the movers after their current chunk, but wait for them: the hold table is
              // dropped next
              interrupted = true;
              failure.compareAndSet(
                  null, new DrayException(ErrorCode.INTERRUPTED, "bulk enqueue interrupted"));
            } catch (ExecutionException e) {
              fail(e.getCause());
              break;
            }
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      } finally {
        if (pool != null) {
          pool.shutdown();
        }
      }
      Throwable first = failure.get();
      if (first != null) {
        String done =
            " ("
                + inserted.get()
                + " of "
                + submitted
                + " jobs were enqueued before the failure"
                + (count > 1 ? "; the other movers stopped" : "")
                + ")";
        if (first instanceof DrayException dray) {
          throw new DrayException(dray.code(), dray.getMessage() + done, dray);
        }
        throw new DrayException(
            ErrorCode.INTERNAL, "moving jobs from the hold table failed: " + first + done, first);
      }
      return inserted.get();
    }

    private void moveRange(QueueSession session, int mover) {
      long from = first + chunks * mover / count * chunkSize;
      long to = Math.min(last, first + chunks * (mover + 1) / count * chunkSize);
      for (long low = from; low < to && failure.get() == null; low += chunkSize) {
        inserted.addAndGet(
            session.executeCommitted(
                "move jobs from the hold table", move, low, Math.min(low + chunkSize, to)));
      }
    }

    private void fail(Throwable t) {
      failure.compareAndSet(null, t);
    }
  }

  private TableName holdTableName(JobQueue queue) {
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    return queue.table().withTable(queue.name().holdTable() + "_" + suffix);
  }

  private static void dropQuietly(Connection c, Dialect dialect, TableName table) {
    try (Statement statement = c.createStatement()) {
      c.rollback();
      statement.execute("DROP TABLE IF EXISTS " + dialect.quote(table));
    } catch (SQLException e) {
      LOG.warn("could not drop hold table {}: {}", table, SqlErrors.describe(e));
    }
  }

  private static List<NewJob> shardOf(List<NewJob> all, int shard, int shardCount) {
    if (shardCount == 1) {
      return all;
    }
    List<NewJob> mine = new ArrayList<>();
    for (NewJob job : all) {
      if (shardIndex(job, shardCount) == shard) {
        mine.add(job);
      }
    }
    return mine;
  }

  /**
   * Which shard a job goes to: by idempotency key when it has one (so retries land alike), else
   * payload.
   */
  static int shardIndex(NewJob job, int shardCount) {
    String key = job.idempotencyKey() != null ? job.idempotencyKey() : job.payload();
    return Math.floorMod(key.hashCode(), shardCount);
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(ErrorCode.INTERRUPTED, "bulk enqueue interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DrayException dray) {
        throw dray;
      }
      throw new DrayException(
          ErrorCode.INTERNAL, "bulk enqueue failed: " + e.getCause(), e.getCause());
    }
  }

  /** Which columns of the query's result hold payload, priority and idempotency key. */
  private record SourceColumns(String payload, String priority, String idempotencyKey) {
    static SourceColumns describe(Connection c, String query) throws SQLException {
      try (Statement statement = c.createStatement();
          ResultSet rs = statement.executeQuery("SELECT * FROM (" + query + ") AS src LIMIT 0")) {
        return of(rs.getMetaData());
      } catch (SQLException e) {
        throw DrayException.usage("the --from-query does not run: " + SqlErrors.describe(e));
      }
    }

    static SourceColumns of(ResultSetMetaData meta) throws SQLException {
      String payload = null;
      String priority = null;
      String key = null;
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        String label = meta.getColumnLabel(i);
        switch (label.toLowerCase(Locale.ROOT)) {
          case "payload" -> payload = label;
          case "priority" -> priority = label;
          case "idempotency_key" -> key = label;
          default -> {}
        }
      }
      return new SourceColumns(payload != null ? payload : meta.getColumnLabel(1), priority, key);
    }

    String selectList(Dialect dialect) {
      return "src."
          + dialect.quote(payload)
          + ", "
          + (priority == null ? "0" : "src." + dialect.quote(priority))
          + ", "
          + (idempotencyKey == null ? "NULL" : "src." + dialect.quote(idempotencyKey));
    }
  }

  /** Streams a query's rows from one database and writes them, chunk by chunk, to the shards. */
  private final class Router {
    private final List<JobQueue> queues;

    Router(List<JobQueue> queues) {
      this.queues = queues;
    }

    List<EnqueueResult> streamFrom(ConnectionConfig from) {
      List<QueueSession> sessions = new ArrayList<>();
      List<TableName> holds = new ArrayList<>();
      long[] submitted = new long[queues.size()];
      long[] inserted = new long[queues.size()];
      long row = 0;
      try (Connection reader = Connections.open(from)) {
        for (JobQueue queue : queues) {
          QueueSession session = queue.openSession();
          sessions.add(session);
          if (viaHoldTable) {
            TableName hold = holdTableName(queue);
            try (Statement statement = session.connection().createStatement()) {
              statement.execute(QueueSchema.createHoldTable(queue.dialect(), hold));
              session.connection().commit();
            }
            holds.add(hold);
          }
        }
        reader.setAutoCommit(false);
        try (Statement statement =
            reader.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
          statement.setFetchSize(chunkSize);
          ResultSet rs;
          try {
            rs = statement.executeQuery(query);
          } catch (SQLException e) {
            throw DrayException.usage(
                "the --from-query does not run on "
                    + from.safeUrl()
                    + ": "
                    + SqlErrors.describe(e));
          }
          try (rs) {
            SourceColumns columns = SourceColumns.of(rs.getMetaData());
            List<List<NewJob>> buffers = new ArrayList<>();
            queues.forEach(q -> buffers.add(new ArrayList<>(chunkSize)));
            while (rs.next()) {
              row++;
              NewJob job = toJob(rs, columns, row, inserted);
              int shard = queues.size() == 1 ? 0 : shardIndex(job, queues.size());
              List<NewJob> buffer = buffers.get(shard);
              buffer.add(job);
              if (buffer.size() >= chunkSize) {
                inserted[shard] += write(sessions.get(shard), holds, shard, buffer);
                submitted[shard] += buffer.size();
                buffer.clear();
              }
            }
            for (int shard = 0; shard < queues.size(); shard++) {
              List<NewJob> buffer = buffers.get(shard);
              if (!buffer.isEmpty()) {
                inserted[shard] += write(sessions.get(shard), holds, shard, buffer);
                submitted[shard] += buffer.size();
              }
            }
          }
        }
        List<EnqueueResult> results = new ArrayList<>();
        for (int shard = 0; shard < queues.size(); shard++) {
          results.add(
              viaHoldTable
                  ? moveFromHold(
                      queues.get(shard), sessions.get(shard), holds.get(shard), submitted[shard])
                  : new EnqueueResult(submitted[shard], inserted[shard]));
        }
        return results;
      } catch (SQLException e) {
        throw new DrayException(
            ErrorCode.TASK_FAILED,
            "bulk enqueue failed at source row " + row + ": " + SqlErrors.describe(e),
            e);
      } finally {
        for (int i = 0; i < holds.size(); i++) {
          dropQuietly(sessions.get(i).connection(), queues.get(i).dialect(), holds.get(i));
        }
        sessions.forEach(QueueSession::close);
      }
    }

    private NewJob toJob(ResultSet rs, SourceColumns columns, long row, long[] inserted)
        throws SQLException {
      String payload = rs.getString(columns.payload());
      String problem = Payloads.problem(payload);
      if (problem != null) {
        long done = viaHoldTable ? 0 : java.util.Arrays.stream(inserted).sum();
        throw DrayException.usage(
            "malformed job payload in row "
                + row
                + " of the query's result ("
                + problem
                + "): "
                + Payloads.abbreviate(payload)
                + " ("
                + done
                + " jobs were enqueued before it)");
      }
      int priority = columns.priority() == null ? 0 : rs.getInt(columns.priority());
      String key = columns.idempotencyKey() == null ? null : rs.getString(columns.idempotencyKey());
      return new NewJob(payload, priority, Duration.ZERO, null, key);
    }

    private long write(QueueSession session, List<TableName> holds, int shard, List<NewJob> chunk)
        throws SQLException {
      if (!viaHoldTable) {
        return session.enqueue(chunk, chunk.size()).inserted();
      }
      Dialect dialect = queues.get(shard).dialect();
      StringBuilder sql =
          new StringBuilder("INSERT INTO ")
              .append(dialect.quote(holds.get(shard)))
              .append(" (payload, priority, idempotency_key) VALUES ");
      for (int i = 0; i < chunk.size(); i++) {
        sql.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
      }
      Connection c = session.connection();
      try (PreparedStatement insert = c.prepareStatement(sql.toString())) {
        int p = 1;
        for (NewJob job : chunk) {
          insert.setString(p++, job.payload());
          insert.setInt(p++, job.priority());
          insert.setString(p++, job.idempotencyKey());
        }
        insert.executeUpdate();
      }
      c.commit();
      return 0;
    }
  }

  /** What to enqueue and where. */
  public static final class Builder {
    private final List<ConnectionConfig> shards = new ArrayList<>();
    private String queue;
    private List<NewJob> jobs;
    private String query;
    private ConnectionConfig source;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private boolean viaHoldTable;
    private int movers = DEFAULT_MOVERS;
    private boolean forceParallelMovers;

    private Builder() {}

    /** A database holding the queue; several shards are filled in parallel. */
    public Builder shard(ConnectionConfig config) {
      shards.add(requireNonNull(config, "config is null"));
      return this;
    }

    public Builder queue(String name) {
      this.queue = name;
      return this;
    }

    public Builder jobs(List<NewJob> list) {
      this.jobs = List.copyOf(list);
      return this;
    }

    /** A query whose rows become jobs; it runs on each shard unless {@link #source} is set. */
    public Builder query(String sql) {
      this.query = sql;
      return this;
    }

    /** Runs the query on this database instead, spreading its rows over the shards. */
    public Builder source(ConnectionConfig config) {
      this.source = config;
      return this;
    }

    /** Rows per committed chunk: the longest any live insert or claim waits for this job. */
    public Builder chunkSize(int rows) {
      this.chunkSize = rows;
      return this;
    }

    public Builder viaHoldTable(boolean on) {
      this.viaHoldTable = on;
      return this;
    }

    /**
     * Connections that move the hold table into each queue in parallel, each with its own
     * contiguous part of the hold table and committing chunk by chunk (default {@value
     * #DEFAULT_MOVERS}). Jobs from different parts interleave in the queue's claim order; 1 keeps
     * the query's order. A server whose {@code innodb_autoinc_lock_mode} is below 2 gets one mover
     * (and a warning): there each INSERT ... SELECT holds the table's AUTO-INC lock to its end.
     */
    public Builder movers(int count) {
      this.movers = count;
      return this;
    }

    /**
     * Tests only: use all movers even where the autoinc lock mode serializes them (correct, only
     * not faster), since the lock mode is fixed while the test server runs.
     */
    Builder forceParallelMovers(boolean on) {
      this.forceParallelMovers = on;
      return this;
    }

    public BulkEnqueue build() {
      return new BulkEnqueue(this);
    }
  }
}
