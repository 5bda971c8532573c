package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.AutoIncLockMode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.QueueStatements;
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
  private final String enqueueId;
  private final boolean again;
  private final boolean dropUnfinished;
  private final Set<String> warnedAutoinc = ConcurrentHashMap.newKeySet();
  private final AtomicLong earlier = new AtomicLong();
  private final AtomicInteger finishedBefore = new AtomicInteger();

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
    if (b.enqueueId != null && !ENQUEUE_ID.matcher(b.enqueueId).matches()) {
      throw DrayException.usage(
          "--enqueue-id must be 1-64 letters, digits, '.', '_', ':' or '-', got " + b.enqueueId);
    }
    if ((b.enqueueId != null || b.again) && !b.viaHoldTable) {
      throw DrayException.usage(
          "--enqueue-id and --again go with --via-hold-table (only a hold table's enqueue is"
              + " recorded and can be finished by a re-run)");
    }
    this.enqueueId = b.enqueueId != null ? b.enqueueId : identity();
    this.again = b.again;
    this.dropUnfinished = b.dropUnfinished;
  }

  private static final java.util.regex.Pattern ENQUEUE_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  /**
   * The identity of an enqueue through a hold table when none is given: what decides which jobs it
   * makes (queue, query, source database, and with a source the shards the rows are spread over),
   * not how (chunk size, movers), so that a re-run with other tuning still continues it.
   */
  private String identity() {
    if (query == null) {
      return null;
    }
    StringBuilder text = new StringBuilder(queueName).append('\0').append(query);
    if (source != null) {
      text.append('\0').append(source.safeUrl());
      shards.forEach(shard -> text.append('\0').append(shard.safeUrl()));
    }
    return "q" + EnqueueProgress.sha256(text.toString()).substring(0, 19);
  }

  /** The identity under which a hold-table enqueue is recorded (given, or derived). */
  public String enqueueId() {
    return enqueueId;
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
    return new BulkEnqueueResult(
        total.submitted(),
        total.inserted(),
        shards.size(),
        seconds,
        viaHoldTable ? enqueueId : null,
        earlier.get(),
        viaHoldTable && finishedBefore.get() == shards.size());
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
      return session.enqueue(mine, Math.min(chunkSize, QueueStatements.ROWS_PER_INSERT));
    }
  }

  /**
   * The query runs on the shard into a private hold table, which then moves over chunk by chunk,
   * recorded in the queue's progress table: a re-run of an interrupted enqueue continues its moves,
   * and a re-run of a finished one enqueues nothing.
   */
  private EnqueueResult serverSideViaHold(JobQueue queue) {
    Dialect dialect = queue.dialect();
    try (QueueSession session = queue.openSession();
        EnqueueProgress progress =
            EnqueueProgress.open(queue, session.connection(), enqueueId, again)) {
      Connection c = session.connection();
      progress.handleOtherHoldTables(dropUnfinished);
      EnqueueResult done = alreadyDone(queue, progress);
      if (done != null) {
        return done;
      }
      if (progress.state() != EnqueueProgress.MOVING) {
        SourceColumns columns = SourceColumns.describe(c, query);
        TableName hold = progress.startFilling(query);
        try {
          long submitted =
              dialect.insertIntoEmptyTable(
                  c,
                  "INSERT INTO "
                      + dialect.quote(hold)
                      + " (payload, priority, idempotency_key) SELECT "
                      + columns.selectList(dialect)
                      + " FROM ("
                      + query
                      + ") AS src");
          checkAndPlanMoves(queue, session, progress, submitted);
        } catch (SQLException | RuntimeException e) {
          progress.forget();
          throw e;
        }
      }
      return moveFromHold(queue, session, progress);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TASK_FAILED,
          "bulk enqueue into " + queue + " failed: " + SqlErrors.describe(e),
          e);
    }
  }

  /** The result of a shard whose enqueue finished in an earlier run, or null. */
  private EnqueueResult alreadyDone(JobQueue queue, EnqueueProgress progress) throws SQLException {
    if (progress.state() != EnqueueProgress.DONE) {
      if (progress.state() == EnqueueProgress.MOVING) {
        if (!progress.holdExists()) {
          throw new DrayException(
              ErrorCode.NOT_FOUND,
              "cannot finish bulk enqueue "
                  + enqueueId
                  + " into "
                  + queue
                  + ": its hold table "
                  + progress.holdTable()
                  + " is gone ("
                  + progress.inserted()
                  + " of "
                  + progress.submitted()
                  + " jobs were enqueued); pass --again to start it over, which enqueues all of"
                  + " its jobs again");
        }
        earlier.addAndGet(progress.inserted());
        LOG.info(
            "resuming bulk enqueue {} into {}: {} of {} jobs were enqueued by an earlier run",
            enqueueId,
            queue,
            progress.inserted(),
            progress.submitted());
      }
      return null;
    }
    progress.dropHold(); // left if the finished run died just after recording it
    finishedBefore.incrementAndGet();
    earlier.addAndGet(progress.inserted());
    LOG.warn(
        "bulk enqueue {} into {} already finished at {} ({} of {} jobs enqueued); nothing was"
            + " enqueued now: pass --again (or another --enqueue-id) to enqueue the same rows again",
        enqueueId,
        queue,
        progress.finishedAt(),
        progress.inserted(),
        progress.submitted());
    return new EnqueueResult(progress.submitted(), progress.inserted());
  }

  /**
   * Checks the filled hold table (a malformed payload stops the run before anything is enqueued)
   * and records its key range, split into the movers' parts.
   */
  private void checkAndPlanMoves(
      JobQueue queue, QueueSession session, EnqueueProgress progress, long submitted)
      throws SQLException {
    Dialect dialect = queue.dialect();
    Connection c = session.connection();
    String holdTable = dialect.quote(progress.holdTable());
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
    long first = minHoldId - 1;
    long chunks = Math.max(0, (maxHoldId - first + chunkSize - 1) / chunkSize);
    int count = (int) Math.max(1, Math.min(moversFor(queue), chunks));
    progress.startMoving(first, maxHoldId, count, chunkSize, submitted);
  }

  /**
   * Moves what the record says is not yet moved, one mover per unfinished part; then the enqueue is
   * done and its hold table dropped. A failure leaves the record and the hold table, so that
   * running the same enqueue again moves the rest.
   */
  private EnqueueResult moveFromHold(JobQueue queue, QueueSession session, EnqueueProgress progress)
      throws SQLException {
    Dialect dialect = queue.dialect();
    String move =
        dialect.insertSkippingDuplicatesInto()
            + " "
            + dialect.quote(queue.table())
            + " (payload, priority, idempotency_key)"
            + " SELECT payload, priority, idempotency_key FROM "
            + dialect.quote(progress.holdTable())
            + " WHERE hold_id > ? AND hold_id <= ? ORDER BY hold_id";
    Movers run = new Movers(queue, move, progress);
    long inserted = run.moveAll(session);
    progress.finish();
    LOG.debug(
        "moved {} of {} jobs from {} into {} with {} mover(s)",
        inserted,
        progress.submitted(),
        progress.holdTable(),
        queue,
        progress.parts().size());
    return new EnqueueResult(progress.submitted(), inserted);
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
   * Moves the unfinished parts of a recorded hold table into the queue, each part on its own
   * connection (the first on the caller's), chunk by chunk: each chunk and its part's new frontier
   * commit together. The first failure stops the others after their current chunk.
   */
  private final class Movers {
    private final JobQueue queue;
    private final String move;
    private final EnqueueProgress progress;
    private final List<EnqueueProgress.Part> todo;
    private final AtomicLong inserted;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    Movers(JobQueue queue, String move, EnqueueProgress progress) {
      this.queue = queue;
      this.move = move;
      this.progress = progress;
      this.todo = progress.parts().stream().filter(part -> !part.finished()).toList();
      this.inserted = new AtomicLong(progress.inserted());
    }

    /** Runs the first part on {@code session} in this thread and the others on their own. */
    long moveAll(QueueSession session) {
      int count = todo.size();
      ExecutorService pool =
          count <= 1
              ? null
              : Executors.newFixedThreadPool(
                  count - 1, r -> new Thread(r, "dray-mover-" + THREADS.incrementAndGet()));
      List<Future<?>> others = new ArrayList<>();
      try {
        for (int i = 1; i < count; i++) {
          EnqueueProgress.Part part = todo.get(i);
          others.add(
              pool.submit(
                  () -> {
                    try (QueueSession own = queue.openSession()) {
                      moveRange(own, part);
                    } catch (Throwable t) {
                      fail(t);
                    }
                  }));
        }
        if (count > 0) {
          try {
            moveRange(session, todo.get(0));
          } catch (Throwable t) {
            fail(t);
          }
        }
        boolean interrupted = false;
        for (Future<?> future : others) {
          while (true) {
            try {
              future.get();
              break;
            } catch (InterruptedException e) {
              // stop the movers after their current chunk, but wait for them
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
                + progress.submitted()
                + " jobs were enqueued before the failure"
                + (count > 1 ? "; the other movers stopped" : "")
                + "; the hold table "
                + progress.holdTable()
                + " keeps the rest: run the same enqueue again to finish it exactly once)";
        if (first instanceof DrayException dray) {
          throw new DrayException(dray.code(), dray.getMessage() + done, dray);
        }
        throw new DrayException(
            ErrorCode.INTERNAL, "moving jobs from the hold table failed: " + first + done, first);
      }
      return inserted.get();
    }

    private void moveRange(QueueSession session, EnqueueProgress.Part part) {
      String advance = progress.advanceStatement();
      for (long low = part.movedTo(); low < part.to() && failure.get() == null; low += chunkSize) {
        long high = Math.min(low + chunkSize, part.to());
        inserted.addAndGet(
            session.executeCommittedWithProgress(
                "move jobs from the hold table",
                move,
                low,
                high,
                advance,
                progress.id(),
                part.index()));
      }
    }

    private void fail(Throwable t) {
      failure.compareAndSet(null, t);
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
      List<EnqueueProgress> progresses = new ArrayList<>();
      EnqueueResult[] finished = new EnqueueResult[queues.size()];
      boolean[] filling = new boolean[queues.size()];
      long[] submitted = new long[queues.size()];
      long[] inserted = new long[queues.size()];
      long row = 0;
      try (Connection reader = Connections.open(from)) {
        boolean read = !viaHoldTable;
        for (int shard = 0; shard < queues.size(); shard++) {
          JobQueue queue = queues.get(shard);
          QueueSession session = queue.openSession();
          sessions.add(session);
          if (viaHoldTable) {
            EnqueueProgress progress =
                EnqueueProgress.open(queue, session.connection(), enqueueId, again);
            progresses.add(progress);
            progress.handleOtherHoldTables(dropUnfinished);
            finished[shard] = alreadyDone(queue, progress);
            if (finished[shard] == null && progress.state() != EnqueueProgress.MOVING) {
              // rows go to shards by a hash, so a shard's hold table gets the same rows again
              progress.startFilling(query);
              filling[shard] = true;
              read = true;
            }
          }
        }
        if (read) {
          readQuery(reader, from, filling, sessions, progresses, submitted, inserted);
          row = -1;
        }
        List<EnqueueResult> results = new ArrayList<>();
        for (int shard = 0; shard < queues.size(); shard++) {
          if (!viaHoldTable) {
            results.add(new EnqueueResult(submitted[shard], inserted[shard]));
          } else if (finished[shard] != null) {
            results.add(finished[shard]);
          } else {
            if (filling[shard]) {
              checkAndPlanMoves(
                  queues.get(shard), sessions.get(shard), progresses.get(shard), submitted[shard]);
              filling[shard] = false;
            }
            results.add(
                moveFromHold(queues.get(shard), sessions.get(shard), progresses.get(shard)));
          }
        }
        return results;
      } catch (SQLException e) {
        throw new DrayException(
            ErrorCode.TASK_FAILED,
            "bulk enqueue failed"
                + (row > 0 ? " at source row " + row : "")
                + ": "
                + SqlErrors.describe(e),
            e);
      } finally {
        for (int shard = 0; shard < progresses.size(); shard++) {
          if (filling[shard]) {
            // nothing of this shard was moved: no record, no hold table
            progresses.get(shard).forget();
          }
          progresses.get(shard).close();
        }
        sessions.forEach(QueueSession::close);
      }
    }

    /** Streams the query's rows into the shards (or their hold tables, where they are filling). */
    private void readQuery(
        Connection reader,
        ConnectionConfig from,
        boolean[] filling,
        List<QueueSession> sessions,
        List<EnqueueProgress> progresses,
        long[] submitted,
        long[] inserted)
        throws SQLException {
      long row = 0;
      reader.setAutoCommit(false);
      try (Statement statement =
          reader.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
        statement.setFetchSize(chunkSize);
        ResultSet rs;
        try {
          rs = statement.executeQuery(query);
        } catch (SQLException e) {
          throw DrayException.usage(
              "the --from-query does not run on " + from.safeUrl() + ": " + SqlErrors.describe(e));
        }
        try (rs) {
          SourceColumns columns = SourceColumns.of(rs.getMetaData());
          List<List<NewJob>> buffers = new ArrayList<>();
          queues.forEach(q -> buffers.add(new ArrayList<>(chunkSize)));
          while (rs.next()) {
            row++;
            NewJob job = toJob(rs, columns, row, inserted);
            int shard = queues.size() == 1 ? 0 : shardIndex(job, queues.size());
            if (viaHoldTable && !filling[shard]) {
              continue; // this shard's hold table is full already (or its enqueue is done)
            }
            List<NewJob> buffer = buffers.get(shard);
            buffer.add(job);
            if (buffer.size() >= chunkSize) {
              inserted[shard] += write(sessions.get(shard), progresses, shard, buffer);
              submitted[shard] += buffer.size();
              buffer.clear();
            }
          }
          for (int shard = 0; shard < queues.size(); shard++) {
            List<NewJob> buffer = buffers.get(shard);
            if (!buffer.isEmpty()) {
              inserted[shard] += write(sessions.get(shard), progresses, shard, buffer);
              submitted[shard] += buffer.size();
            }
          }
        } catch (SQLException e) {
          throw new DrayException(
              ErrorCode.TASK_FAILED,
              "bulk enqueue failed at source row " + row + ": " + SqlErrors.describe(e),
              e);
        }
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

    private long write(
        QueueSession session, List<EnqueueProgress> progresses, int shard, List<NewJob> chunk)
        throws SQLException {
      if (!viaHoldTable) {
        return session.enqueue(chunk, chunk.size()).inserted();
      }
      Dialect dialect = queues.get(shard).dialect();
      StringBuilder sql =
          new StringBuilder("INSERT INTO ")
              .append(dialect.quote(progresses.get(shard).holdTable()))
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
    private String enqueueId;
    private boolean again;
    private boolean dropUnfinished;

    private Builder() {}

    /**
     * The identity of a hold-table enqueue (default: a hash of the queue, the query and, with a
     * source database, the source and the shards). Running an enqueue whose identity is recorded as
     * interrupted finishes it; one recorded as finished enqueues nothing unless {@link #again}.
     */
    public Builder enqueueId(String id) {
      this.enqueueId = id;
      return this;
    }

    /** Enqueue again even if an enqueue of the same identity has finished before. */
    public Builder again(boolean on) {
      this.again = on;
      return this;
    }

    /**
     * Drop the hold tables of other enqueues into this queue that were interrupted (their process
     * is gone) instead of only naming them; their remaining jobs are then never enqueued.
     */
    public Builder dropUnfinished(boolean on) {
      this.dropUnfinished = on;
      return this;
    }

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
