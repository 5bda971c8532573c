package dev.dray.bench.queue;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.mariadb.jdbc.MariaDbPoolDataSource;

/**
 * The W3 peer: db-scheduler (Maven Central) on the same MariaDB. Static mode: N one-time executions
 * of a no-op task are inserted before timing (not timed); then a scheduler with T threads runs them
 * all. Dynamic mode: P producer threads schedule one execution at a time, due now, for D seconds
 * while the scheduler runs them, then a drain window; leftover = executions still in the table
 * after it. db-scheduler refuses lock-and-fetch on MariaDB, so it polls with its default strategy
 * (fetch-and-lock-on-execute). Prints one JSON object with the same keys as {@code dray queue
 * bench} where they apply.
 *
 * <p>Usage: {@code DbSchedulerPeer URL JOBS THREADS POLL_MS} (static) or {@code DbSchedulerPeer URL
 * 0 THREADS POLL_MS dynamic PRODUCERS SECONDS DRAIN_SECONDS}
 */
public final class DbSchedulerPeer {
  private DbSchedulerPeer() {}

  public static void main(String[] args) throws Exception {
    boolean dynamic = args.length == 8 && args[4].equals("dynamic");
    if (args.length != 4 && !dynamic) {
      System.err.println(
          "usage: DbSchedulerPeer JDBC_URL JOBS THREADS POLL_MS [dynamic PRODUCERS SECONDS DRAIN_S]");
      System.exit(2);
    }
    String url = args[0];
    int jobs = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    Duration poll = Duration.ofMillis(Long.parseLong(args[3]));
    if (dynamic) {
      runDynamic(
          url,
          threads,
          poll,
          Integer.parseInt(args[5]),
          Duration.ofSeconds(Long.parseLong(args[6])),
          Duration.ofSeconds(Long.parseLong(args[7])));
      return;
    }

    MariaDbPoolDataSource dataSource =
        new MariaDbPoolDataSource(
            url + (url.contains("?") ? "&" : "?") + "maxPoolSize=" + (threads + 4));
    try (Connection c = dataSource.getConnection()) {
      createTable(c);
      preload(c, jobs);
    }

    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicLong processed = new AtomicLong();
    AtomicLong duplicates = new AtomicLong();
    AtomicLong lastCompletion = new AtomicLong();
    OneTimeTask<Void> noop =
        Tasks.oneTime("noop")
            .execute(
                (instance, context) -> {
                  if (seen.add(instance.getId())) {
                    processed.incrementAndGet();
                  } else {
                    duplicates.incrementAndGet();
                  }
                  lastCompletion.set(System.nanoTime());
                });
    Scheduler scheduler =
        Scheduler.create(dataSource, noop).threads(threads).pollingInterval(poll).build();
    long start = System.nanoTime();
    scheduler.start();
    // The executions are complete when their rows are gone; the handler count alone would stop
    // the clock before db-scheduler's own completion (delete) committed.
    long left = waitUntilEmpty(dataSource, start + Duration.ofMinutes(10).toNanos());
    double wall = (System.nanoTime() - start) / 1e9;
    scheduler.stop();
    dataSource.close();
    System.out.printf(
        Locale.ROOT,
        "{\"peer\":\"db-scheduler 16.1.0\",\"mode\":\"static\",\"threads\":%d,\"poll_ms\":%d,\"enqueued\":%d,\"processed\":%d,"
            + "\"duplicates\":%d,\"leftover\":%d,\"wall_s\":%.3f,\"throughput_per_s\":%.1f}%n",
        threads,
        poll.toMillis(),
        jobs,
        processed.get(),
        duplicates.get(),
        left,
        wall,
        processed.get() / wall);
  }

  /**
   * Producers schedule executions due now, one per call (each its own transaction), as fast as they
   * can for {@code duration}; then up to {@code drain} for the scheduler to finish.
   * Enqueue-to-start latency is measured in this JVM, from the return of {@code schedule} to the
   * handler's start.
   */
  private static void runDynamic(
      String url, int threads, Duration poll, int producers, Duration duration, Duration drain)
      throws Exception {
    MariaDbPoolDataSource dataSource =
        new MariaDbPoolDataSource(
            url + (url.contains("?") ? "&" : "?") + "maxPoolSize=" + (threads + producers + 4));
    try (Connection c = dataSource.getConnection()) {
      createTable(c);
    }
    Map<String, Long> scheduledAt = new ConcurrentHashMap<>();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicLong processed = new AtomicLong();
    AtomicLong duplicates = new AtomicLong();
    List<Long> startLatencies = Collections.synchronizedList(new ArrayList<>());
    List<Long> insertLatencies = Collections.synchronizedList(new ArrayList<>());
    OneTimeTask<Void> noop =
        Tasks.oneTime("noop")
            .execute(
                (instance, context) -> {
                  long now = System.nanoTime();
                  Long at = scheduledAt.get(instance.getId());
                  if (at != null) {
                    startLatencies.add(now - at);
                  }
                  if (seen.add(instance.getId())) {
                    processed.incrementAndGet();
                  } else {
                    duplicates.incrementAndGet();
                  }
                });
    Scheduler scheduler =
        Scheduler.create(dataSource, noop).threads(threads).pollingInterval(poll).build();
    scheduler.start();
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    AtomicLong enqueued = new AtomicLong();
    List<Thread> producerThreads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      String prefix = "p" + p + "-";
      Thread producer =
          new Thread(
              () -> {
                long n = 0;
                while (System.nanoTime() < deadline) {
                  String id = prefix + n++;
                  long t0 = System.nanoTime();
                  scheduler.schedule(noop.instance(id), Instant.now());
                  long t1 = System.nanoTime();
                  scheduledAt.put(id, t1);
                  insertLatencies.add(t1 - t0);
                  enqueued.incrementAndGet();
                }
              },
              "db-scheduler-producer-" + p);
      producer.start();
      producerThreads.add(producer);
    }
    for (Thread producer : producerThreads) {
      producer.join();
    }
    long left = waitUntilEmpty(dataSource, System.nanoTime() + drain.toNanos());
    double wall = (System.nanoTime() - start) / 1e9;
    scheduler.stop();
    dataSource.close();
    System.out.printf(
        Locale.ROOT,
        "{\"peer\":\"db-scheduler 16.1.0\",\"mode\":\"dynamic\",\"threads\":%d,\"poll_ms\":%d,\"producers\":%d,"
            + "\"seconds\":%d,\"drain_s\":%d,\"enqueued\":%d,\"processed\":%d,\"duplicates\":%d,\"leftover\":%d,"
            + "\"wall_s\":%.3f,\"throughput_per_s\":%.1f,\"enqueue_to_claim_p50_ms\":%.1f,"
            + "\"enqueue_to_claim_p99_ms\":%.1f,\"insert_latency_p99_ms\":%.1f}%n",
        threads,
        poll.toMillis(),
        producers,
        duration.toSeconds(),
        drain.toSeconds(),
        enqueued.get(),
        processed.get(),
        duplicates.get(),
        left,
        wall,
        processed.get() / wall,
        percentileMillis(startLatencies, 50),
        percentileMillis(startLatencies, 99),
        percentileMillis(insertLatencies, 99));
  }

  /**
   * Polls until db-scheduler's table is empty or the deadline (System.nanoTime) passes; returns the
   * executions left in it.
   */
  private static long waitUntilEmpty(MariaDbPoolDataSource dataSource, long deadline)
      throws SQLException, InterruptedException {
    long left;
    try (Connection c = dataSource.getConnection();
        Statement statement = c.createStatement()) {
      do {
        Thread.sleep(20);
        try (var rs = statement.executeQuery("SELECT COUNT(*) FROM scheduled_tasks")) {
          rs.next();
          left = rs.getLong(1);
        }
      } while (left > 0 && System.nanoTime() < deadline);
    }
    return left;
  }

  private static double percentileMillis(List<Long> nanos, int percentile) {
    List<Long> sorted;
    synchronized (nanos) {
      sorted = new ArrayList<>(nanos);
    }
    if (sorted.isEmpty()) {
      return -1;
    }
    Collections.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1e6;
  }

  private static void createTable(Connection c) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS scheduled_tasks");
      // db-scheduler's MySQL/MariaDB schema (its README's mysql_tables.sql), with the priority
      // column.
      statement.execute(
          "CREATE TABLE scheduled_tasks ("
              + " task_name VARCHAR(100) NOT NULL, task_instance VARCHAR(100) NOT NULL, task_data BLOB,"
              + " execution_time TIMESTAMP(6) NOT NULL, picked BOOLEAN NOT NULL, picked_by VARCHAR(50),"
              + " last_success TIMESTAMP(6) NULL, last_failure TIMESTAMP(6) NULL, consecutive_failures INT,"
              + " last_heartbeat TIMESTAMP(6) NULL, version BIGINT NOT NULL, priority SMALLINT,"
              + " PRIMARY KEY (task_name, task_instance),"
              + " INDEX execution_time_idx (execution_time), INDEX last_heartbeat_idx (last_heartbeat),"
              + " INDEX priority_execution_time_idx (priority DESC, execution_time ASC))");
    }
  }

  private static void preload(Connection c, int jobs) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO scheduled_tasks (task_name, task_instance, task_data, execution_time, picked, version, priority)"
                + " VALUES ('noop', ?, NULL, NOW(6) - INTERVAL 1 SECOND, 0, 1, 0)")) {
      for (int i = 0; i < jobs; i++) {
        insert.setString(1, Integer.toString(i));
        insert.addBatch();
        if (i % 5000 == 4999 || i == jobs - 1) {
          insert.executeBatch();
          c.commit();
        }
      }
    }
    c.setAutoCommit(true);
  }
}
