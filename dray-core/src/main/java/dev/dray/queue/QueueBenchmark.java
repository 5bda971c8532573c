package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.QueueStatements;
import dev.dray.db.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workload W3: the published SKIP LOCKED experiment, measured properly. Static mode preloads N jobs
 * and times C consumers emptying the queue; dynamic mode runs P producers for D seconds while C
 * consumers work, then a drain window, and reports what is left. Optionally a bulk enqueue of M
 * jobs (hold-table path) runs during the dynamic window to show what it does to live inserts.
 *
 * <p>Every figure is counted or timed in the run: items processed are completions seen (each id is
 * recorded, so a second completion counts as a duplicate), latencies are per claim and per item.
 * Setup (creating and preloading the table) is not timed; no fixed sleep is inside a timed section
 * except the empty-queue polling the strategy itself does.
 */
public final class QueueBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(QueueBenchmark.class);
  private static final Duration POLL = Duration.ofMillis(5);

  private final ConnectionConfig connection;
  private final String queueName;
  private volatile Dialect dialect;
  private final BenchStrategy strategy;
  private final long jobs;
  private final int consumers;
  private final int producers;
  private final Duration duration;
  private final Duration drain;
  private final int batch;
  private final long bulkJobs;
  private final int bulkChunk;
  private final int concurrentClaims;

  private final Set<Long> seen = ConcurrentHashMap.newKeySet();
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong claimLoops = new AtomicLong();
  private final AtomicLong deadlocks = new AtomicLong();
  private final AtomicLong enqueued = new AtomicLong();
  private final LatencySamples itemTimes = new LatencySamples();
  private final LatencySamples claimTimes = new LatencySamples();
  private final LatencySamples queueTimes = new LatencySamples();
  private final LatencySamples insertTimes = new LatencySamples();
  private final LatencySamples insertDuringBulk = new LatencySamples();
  private final LatencySamples commitTimes = new LatencySamples();
  private final LatencySamples jobsPerCommit = new LatencySamples();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile boolean producing;
  private volatile boolean bulkRunning;
  private volatile boolean stopConsumers;

  private QueueBenchmark(Builder b) {
    this.connection = requireNonNull(b.connection, "connection is null");
    this.queueName = new QueueName(b.queue).name();
    this.strategy = requireNonNull(b.strategy, "strategy is null");
    if (b.consumers < 1 || b.producers < 0 || b.jobs < 0 || b.batch < 1) {
      throw DrayException.usage(
          "--consumers and --batch must be >= 1, --jobs and --producers >= 0");
    }
    if (b.producers == 0 && b.jobs == 0) {
      throw DrayException.usage("give --jobs N (static) or --producers P --seconds D (dynamic)");
    }
    if (b.bulkJobs > 0 && b.producers == 0) {
      throw DrayException.usage("--bulk-jobs runs during the dynamic mode: give --producers too");
    }
    this.jobs = b.jobs;
    this.consumers = b.consumers;
    this.producers = b.producers;
    this.duration = b.duration;
    this.drain = b.drain;
    this.batch = b.batch;
    this.bulkJobs = b.bulkJobs;
    this.bulkChunk = b.bulkChunk;
    this.concurrentClaims = b.concurrentClaims;
  }

  public static Builder builder() {
    return new Builder();
  }

  public BenchResult run() {
    return runRecorded().result();
  }

  /**
   * Runs the benchmark and keeps what its HTML report draws: throughput and backlog over time
   * (sampled every 100 ms), the per-commit latency, enqueue-to-claim and jobs-per-commit
   * distributions.
   */
  public BenchRun runRecorded() {
    JobQueue queue = prepare();
    boolean dynamic = producers > 0;
    long conflictsBefore = queue.lockConflictsRetried();
    long start = System.nanoTime();
    BenchSampler sampler = new BenchSampler(start, processed::get, enqueued::get);
    sampler.start();
    List<Thread> producerThreads = new ArrayList<>();
    Thread bulkThread = null;
    double[] bulkTiming = new double[2];
    if (dynamic) {
      producing = true;
      for (int i = 0; i < producers; i++) {
        producerThreads.add(thread("dray-bench-producer-" + (i + 1), () -> produce(queue, start)));
      }
      if (bulkJobs > 0) {
        bulkThread = thread("dray-bench-bulk", () -> bulk(queue, start, bulkTiming));
      }
    }
    Runnable consumersRun =
        switch (strategy) {
          case SKIP_LOCKED -> () -> runWorkers(queue, dynamic);
          case SIMPLE -> () -> runLoops(queue, this::simpleLoop);
          case CHUNK -> () -> runLoops(queue, this::chunkLoop);
        };
    Thread consumerThread = thread("dray-bench-consumers", consumersRun);
    join(producerThreads);
    if (bulkThread != null) {
      join(List.of(bulkThread));
    }
    producing = false;
    if (dynamic) {
      awaitDrained(queue);
      stopConsumers = true;
    }
    join(List.of(consumerThread));
    double wall = (System.nanoTime() - start) / 1e9;
    List<BenchRun.Sample> samples = sampler.stop();
    RuntimeException error = failure.get();
    if (error != null) {
      throw error;
    }
    long leftover = count(queue);
    deadlocks.addAndGet(queue.lockConflictsRetried() - conflictsBefore);
    LatencySamples.Summary items = itemTimes.summary();
    LatencySamples.Summary claims = claimTimes.summary();
    LatencySamples.Summary waits = queueTimes.summary();
    LatencySamples.Summary inserts = insertTimes.summary();
    BenchResult result =
        new BenchResult(
            strategy.label(),
            dynamic ? "dynamic" : "static",
            consumers,
            producers,
            enqueued.get(),
            processed.get(),
            duplicates.get(),
            leftover,
            deadlocks.get(),
            claimLoops.get(),
            wall,
            processed.get() / wall,
            items.meanMillis(),
            items.percentileMillis(50),
            items.percentileMillis(99),
            claims.percentileMillis(50),
            claims.percentileMillis(99),
            waits.percentileMillis(50),
            waits.percentileMillis(99),
            inserts.percentileMillis(50),
            inserts.percentileMillis(99),
            bulkJobs,
            bulkTiming[1],
            bulkTiming[1] > 0 ? bulkTiming[0] / bulkTiming[1] : 0,
            insertDuringBulk.summary().percentileMillis(99));
    return new BenchRun(
        result,
        samples,
        commitTimes.summary().percentiles(1e6),
        waits.percentiles(1e6),
        jobsPerCommit.summary().percentiles(1));
  }

  /** Creates a fresh queue table and, in static mode, preloads it (not timed). */
  private JobQueue prepare() {
    try (Connection c = Connections.open(connection);
        Statement statement = c.createStatement()) {
      JobQueue.currentSchema(c, connection);
      dialect = Dialects.detect(c);
      statement.execute("DROP TABLE IF EXISTS " + quoted(queueName));
      if (bulkJobs > 0) {
        statement.execute("DROP TABLE IF EXISTS " + quoted(queueName + "_source"));
        statement.execute(
            "CREATE TABLE "
                + quoted(queueName + "_source")
                + " (user_id BIGINT NOT NULL PRIMARY KEY)");
        fillSource(c, bulkJobs);
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TASK_FAILED, "cannot set up the benchmark: " + SqlErrors.describe(e), e);
    }
    JobQueue.init(connection, queueName, false);
    JobQueue queue = JobQueue.builder().connection(connection).queue(queueName).build();
    if (jobs > 0) {
      List<NewJob> chunk = new ArrayList<>();
      try (QueueSession session = queue.openSession()) {
        for (long i = 0; i < jobs; i++) {
          chunk.add(NewJob.of("{\"n\":" + i + "}"));
          if (chunk.size() == 5000 || i == jobs - 1) {
            session.enqueue(chunk, 5000);
            chunk.clear();
          }
        }
      }
      enqueued.addAndGet(jobs);
    }
    LOG.debug("benchmark queue {} ready with {} jobs", queueName, jobs);
    return queue;
  }

  private String quoted(String table) {
    return dialect.quote(table);
  }

  private void fillSource(Connection c, long rows) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement insert =
        c.prepareStatement("INSERT INTO " + quoted(queueName + "_source") + " VALUES (?)")) {
      for (long i = 1; i <= rows; i++) {
        insert.setLong(1, i);
        insert.addBatch();
        if (i % 10_000 == 0 || i == rows) {
          insert.executeBatch();
          c.commit();
        }
      }
    }
    c.setAutoCommit(true);
  }

  private void produce(JobQueue queue, long start) {
    long deadline = start + duration.toNanos();
    long n = 0;
    try (QueueSession session = queue.openSession()) {
      while (System.nanoTime() < deadline && failure.get() == null) {
        long t0 = System.nanoTime();
        session.enqueue(List.of(NewJob.of("{\"p\":" + (n++) + "}")));
        long took = System.nanoTime() - t0;
        insertTimes.add(took);
        if (bulkRunning) {
          insertDuringBulk.add(took);
        }
        enqueued.incrementAndGet();
      }
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  private void bulk(JobQueue queue, long start, double[] timing) {
    try {
      long startAt = start + Math.min(duration.toNanos() / 4, Duration.ofSeconds(2).toNanos());
      long wait = startAt - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000);
      }
      bulkRunning = true;
      BulkEnqueueResult result =
          BulkEnqueue.builder()
              .shard(connection)
              .queue(queueName)
              .query(
                  "SELECT JSON_OBJECT('user', user_id) AS payload FROM "
                      + quoted(queueName + "_source"))
              .viaHoldTable(true)
              .chunkSize(bulkChunk)
              .build()
              .run();
      timing[0] = result.inserted();
      timing[1] = result.seconds();
      enqueued.addAndGet(result.inserted());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    } finally {
      bulkRunning = false;
    }
  }

  private void runWorkers(JobQueue queue, boolean dynamic) {
    // when this thread's last claim returned, and how long that claim took
    ThreadLocal<long[]> claimedAt = ThreadLocal.withInitial(() -> new long[2]);
    WorkListener listener =
        new WorkListener() {
          @Override
          public void claimed(List<ClaimedJob> claimed, long claimNanos) {
            claimedAt.get()[0] = System.nanoTime();
            claimedAt.get()[1] = claimNanos;
            claimTimes.add(claimNanos);
            claimLoops.incrementAndGet();
            for (ClaimedJob job : claimed) {
              queueTimes.add(job.queuedMicros() * 1000);
            }
          }

          @Override
          public void completed(List<ClaimedJob> done) {
            // completed right after the claim transaction that committed them: from the start of
            // their claim to that commit
            long took = System.nanoTime() - claimedAt.get()[0];
            commitTimes.add(claimedAt.get()[1] + took);
            jobsPerCommit.add(done.size());
            for (ClaimedJob job : done) {
              record(job.id(), took);
            }
          }
        };
    QueueWorkers workers =
        QueueWorkers.builder(queue)
            .workers(consumers)
            .maxBatch(batch)
            .handler(Handlers.noop())
            .listener(listener)
            .untilEmpty(!dynamic)
            .maxPollInterval(Duration.ofMillis(20))
            .concurrentClaims(concurrentClaims)
            .build();
    Thread stopper =
        new Thread(
            () -> {
              while (!stopConsumers && failure.get() == null) {
                sleepQuietly(Duration.ofMillis(10));
              }
              workers.stop();
            },
            "dray-bench-stopper");
    stopper.setDaemon(true);
    stopper.start();
    try {
      workers.run();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
    } finally {
      stopConsumers = true;
    }
  }

  private interface ConsumerLoop {
    void run(Connection c, int index, long lowestId, long highestId) throws SQLException;
  }

  private void runLoops(JobQueue queue, ConsumerLoop loop) {
    long[] bounds = idBounds();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < consumers; i++) {
      int index = i;
      threads.add(
          thread(
              "dray-bench-consumer-" + (i + 1),
              () -> {
                try (Connection c = Connections.open(queue.connection());
                    Statement statement = c.createStatement()) {
                  statement.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
                  c.setAutoCommit(false);
                  loop.run(c, index, bounds[0], bounds[1]);
                } catch (SQLException e) {
                  failure.compareAndSet(
                      null, new DrayException(ErrorCode.TASK_FAILED, SqlErrors.describe(e), e));
                }
              }));
    }
    join(threads);
  }

  /** The preloaded id range, read once before any consumer starts (static chunk ranges). */
  private long[] idBounds() {
    try (Connection c = Connections.open(connection);
        Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT COALESCE(MIN(id), 1), COALESCE(MAX(id), 0) FROM " + quoted(queueName))) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TASK_FAILED, "cannot read the id range: " + SqlErrors.describe(e), e);
    }
  }

  /** One claim-process-delete transaction; returns the ids it completed (none: nothing found). */
  private List<Long> claimAndDelete(Connection c, PreparedStatement claim) throws SQLException {
    while (true) {
      long t0 = System.nanoTime();
      List<Long> ids = new ArrayList<>();
      try {
        try (ResultSet rs = claim.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            queueTimes.add(rs.getLong(2) * 1000);
          }
        }
        long claimed = System.nanoTime();
        claimTimes.add(claimed - t0);
        claimLoops.incrementAndGet();
        if (!ids.isEmpty()) {
          try (Statement delete = c.createStatement()) {
            delete.executeUpdate(
                "DELETE FROM " + quoted(queueName) + " WHERE id IN " + QueueStatements.idList(ids));
          }
        }
        c.commit();
        long committed = System.nanoTime();
        long took = committed - claimed;
        if (!ids.isEmpty()) {
          commitTimes.add(committed - t0);
          jobsPerCommit.add(ids.size());
        }
        ids.forEach(id -> record(id, took));
        return ids;
      } catch (SQLException e) {
        c.rollback();
        if (!SqlErrors.isLockConflict(e)) {
          throw e;
        }
        deadlocks.incrementAndGet();
      }
    }
  }

  /**
   * One job per transaction, FOR UPDATE without SKIP LOCKED: every consumer waits for the first
   * row.
   */
  private void simpleLoop(Connection c, int index, long lowestId, long highestId)
      throws SQLException {
    String select =
        "SELECT id, TIMESTAMPDIFF(MICROSECOND, created_at, "
            + dialect.currentTimestamp()
            + ") FROM "
            + quoted(queueName)
            + " WHERE state = 0 ORDER BY state, priority, id LIMIT 1 FOR UPDATE";
    try (PreparedStatement claim = c.prepareStatement(select)) {
      while (true) {
        if (claimAndDelete(c, claim).isEmpty()) {
          if (finished()) {
            return;
          }
          sleepQuietly(POLL);
        }
      }
    }
  }

  /**
   * Fixed id ranges: in static mode consumer i owns the i-th slice of the preloaded ids; in dynamic
   * mode it owns id blocks i, i+C, i+2C, ... of {@code batch} ids and moves to its next block once
   * the current one is empty and lies below the highest committed id.
   */
  private void chunkLoop(Connection c, int index, long lowestId, long highestId)
      throws SQLException {
    String select =
        "SELECT id, TIMESTAMPDIFF(MICROSECOND, created_at, "
            + dialect.currentTimestamp()
            + ") FROM "
            + quoted(queueName)
            + " WHERE id >= ? AND id < ? AND state = 0 ORDER BY id LIMIT ? FOR UPDATE";
    boolean dynamic = producers > 0;
    long from;
    long to;
    long step;
    if (dynamic) {
      from = 1 + (long) index * batch;
      to = from + batch;
      step = (long) consumers * batch;
    } else {
      long span = (highestId - lowestId + consumers) / consumers;
      from = lowestId + index * span;
      to = index == consumers - 1 ? highestId + 1 : from + span;
      step = 0;
    }
    try (PreparedStatement claim = c.prepareStatement(select)) {
      while (true) {
        claim.setLong(1, from);
        claim.setLong(2, to);
        claim.setInt(3, batch);
        if (!claimAndDelete(c, claim).isEmpty()) {
          continue;
        }
        if (!dynamic) {
          return;
        }
        if (to <= maxId(c) + 1) {
          from += step;
          to += step;
          continue;
        }
        if (finished()) {
          return;
        }
        sleepQuietly(POLL);
      }
    }
  }

  private long maxId(Connection c) throws SQLException {
    try (Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery("SELECT COALESCE(MAX(id), 0) FROM " + quoted(queueName))) {
      rs.next();
      long max = rs.getLong(1);
      c.commit();
      return max;
    }
  }

  private boolean retried(Connection c, SQLException e) throws SQLException {
    if (SqlErrors.isLockConflict(e)) {
      deadlocks.incrementAndGet();
      c.rollback();
      return true;
    }
    return false;
  }

  private boolean finished() {
    return producers == 0 || stopConsumers;
  }

  private void record(long id, long itemNanos) {
    if (seen.add(id)) {
      processed.incrementAndGet();
    } else {
      duplicates.incrementAndGet();
    }
    itemTimes.add(itemNanos);
  }

  private void awaitDrained(JobQueue queue) {
    long deadline = System.nanoTime() + drain.toNanos();
    try (QueueSession session = queue.openSession()) {
      while (System.nanoTime() < deadline && failure.get() == null && !stopConsumers) {
        if (!session.hasOpenJobs()) {
          return;
        }
        sleepQuietly(Duration.ofMillis(10));
      }
    }
  }

  private long count(JobQueue queue) {
    try (Connection c = Connections.open(connection);
        Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT COUNT(*) FROM " + quoted(queueName) + " WHERE state IN (0, 1)")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.TASK_FAILED, "cannot count leftover jobs: " + SqlErrors.describe(e), e);
    }
  }

  private Thread thread(String name, Runnable body) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
              }
            },
            name);
    thread.start();
    return thread;
  }

  private static void join(List<Thread> threads) {
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DrayException(ErrorCode.INTERRUPTED, "benchmark interrupted");
      }
    }
  }

  private static void sleepQuietly(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Benchmark settings. */
  public static final class Builder {
    private ConnectionConfig connection;
    private String queue = "dray_bench";
    private BenchStrategy strategy = BenchStrategy.SKIP_LOCKED;
    private long jobs;
    private int consumers = 8;
    private int producers;
    private Duration duration = Duration.ofSeconds(20);
    private Duration drain = Duration.ofSeconds(30);
    private int batch = QueueWorkers.DEFAULT_MAX_BATCH;
    private long bulkJobs;
    private int bulkChunk = BulkEnqueue.DEFAULT_CHUNK_SIZE;
    private int concurrentClaims = QueueWorkers.DEFAULT_CONCURRENT_CLAIMS;

    private Builder() {}

    /**
     * Skip-locked only: at most this many consumers claim at once (0: no limit; default as the
     * workers).
     */
    public Builder concurrentClaims(int count) {
      this.concurrentClaims = count;
      return this;
    }

    public Builder connection(ConnectionConfig config) {
      this.connection = config;
      return this;
    }

    /** The queue table to (re)create for the run: it is dropped first. */
    public Builder queue(String name) {
      this.queue = name;
      return this;
    }

    public Builder strategy(BenchStrategy value) {
      this.strategy = value;
      return this;
    }

    /** Jobs preloaded before timing starts (static mode; may be combined with producers). */
    public Builder jobs(long count) {
      this.jobs = count;
      return this;
    }

    public Builder consumers(int count) {
      this.consumers = count;
      return this;
    }

    /** Producers inserting one job per transaction for {@link #duration} (dynamic mode). */
    public Builder producers(int count) {
      this.producers = count;
      return this;
    }

    public Builder duration(Duration value) {
      this.duration = requireNonNull(value, "duration is null");
      return this;
    }

    /** How long consumers may keep working after producers stop before leftovers are counted. */
    public Builder drain(Duration value) {
      this.drain = requireNonNull(value, "drain is null");
      return this;
    }

    /** Max jobs per claim (the chunk size of the chunk strategy). */
    public Builder batch(int size) {
      this.batch = size;
      return this;
    }

    /** Jobs bulk-enqueued (hold-table path) during the dynamic window. */
    public Builder bulkJobs(long count, int chunkRows) {
      this.bulkJobs = count;
      this.bulkChunk = chunkRows;
      return this;
    }

    public QueueBenchmark build() {
      return new QueueBenchmark(this);
    }
  }
}
