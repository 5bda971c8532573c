package dev.dray.bench.follow;

import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.TableName;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadListener;
import dev.dray.load.LoadResult;
import dev.dray.load.follow.BatchReport;
import dev.dray.load.follow.FollowResult;
import dev.dray.load.follow.FollowSettings;
import dev.dray.run.Cancellation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Workload W5 (keeping a DuckDB copy current), in a reduced form: an orders-like table of ROWS rows
 * in 8 hash partitions, followed with {@code load --follow}.
 *
 * <ol>
 *   <li><b>applier alone</b>: follow stops, a writer makes BACKLOG changes (inserts, updates of
 *       non-key columns, deletes across partitions, 100 per transaction), then {@code --resume}
 *       catches up; prints changes/s of the catch-up (from the first batch to the source position).
 *   <li><b>fixed rates</b>: for each RATE (changes/s), a writer runs for SECONDS while follow runs;
 *       prints freshness p50/p99/max and applied changes/s.
 * </ol>
 *
 * <p>Arguments: {@code SOURCE_URL(with binlog, e.g. jdbc:mariadb://127.0.0.1:3407/) SCHEMA WORK_DIR
 * ROWS BACKLOG SECONDS RATE...}. The schema is dropped and created.
 */
public final class FollowBenchmark {
  private final String serverUrl;
  private final String schema;
  private final ConnectionConfig config;
  private final Path file;
  private W5Writer writer;

  private FollowBenchmark(String serverUrl, String schema, Path workDir) {
    this.serverUrl = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
    this.schema = schema;
    this.config = new ConnectionConfig(this.serverUrl + schema, "root", null);
    this.file = workDir.resolve("w5.duckdb");
  }

  public static void main(String[] args) throws Exception {
    FollowBenchmark bench = new FollowBenchmark(args[0], args[1], Path.of(args[2]));
    long rows = Long.parseLong(args[3]);
    long backlog = Long.parseLong(args[4]);
    int seconds = Integer.parseInt(args[5]);
    List<Integer> rates = new ArrayList<>();
    for (int i = 6; i < args.length; i++) {
      rates.add(Integer.parseInt(args[i]));
    }
    bench.setUp(rows);
    bench.applierAlone(backlog);
    for (int rate : rates) {
      bench.atRate(rate, seconds);
    }
  }

  private void setUp(long rows) throws Exception {
    try (Connection c = Connections.open(new ConnectionConfig(serverUrl + "mysql", "root", null));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + schema);
      s.execute("CREATE DATABASE " + schema);
    }
    execute(
        "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer INT NOT NULL, status"
            + " VARCHAR(16) NOT NULL, amount DECIMAL(12,2) NOT NULL, created DATETIME NOT NULL,"
            + " note VARCHAR(64)) PARTITION BY HASH (id) PARTITIONS 8",
        "INSERT INTO orders SELECT seq, seq % 10007, 'new', (seq % 100000) / 100,"
            + " '2026-01-01' + INTERVAL (seq % 86400) SECOND, CONCAT('note ', seq) FROM seq_1_to_"
            + rows);
    writer = new W5Writer(config, rows + 1);
    Files.deleteIfExists(file);
    long started = System.nanoTime();
    LoadResult loaded =
        job(false).follow(settings().withFollowFor(Duration.ofSeconds(1))).build().run();
    System.out.printf(
        "load+follow start: %,d rows loaded in %.1f s (whole run %.1f s)%n",
        loaded.rows(), loaded.seconds(), (System.nanoTime() - started) / 1e9);
  }

  private FollowSettings settings() {
    return FollowSettings.defaults();
  }

  private LoadJob.Builder job(boolean resume) {
    return LoadJob.builder()
        .source(config)
        .table(new TableName(schema, "orders"))
        .target(file)
        .resume(resume);
  }

  private void applierAlone(long backlog) throws Exception {
    long written = write(backlog, Integer.MAX_VALUE, 4, 100);
    BinlogPosition target = position();
    Cancellation cancellation = new Cancellation();
    AtomicLong firstBatch = new AtomicLong();
    AtomicLong caughtUp = new AtomicLong();
    AtomicLong appliedAtCatchUp = new AtomicLong();
    AtomicLong applyNanos = new AtomicLong();
    CompletableFuture<LoadResult> run =
        CompletableFuture.supplyAsync(
            () ->
                job(true)
                    .follow(settings())
                    .build()
                    .run(
                        cancellation,
                        new LoadListener() {
                          @Override
                          public void batchApplied(BatchReport report) {
                            firstBatch.compareAndSet(0, System.nanoTime());
                            if (caughtUp.get() == 0) {
                              applyNanos.addAndGet((long) (report.applySeconds() * 1e9));
                            }
                            if (caughtUp.get() == 0 && report.position().compareTo(target) >= 0) {
                              caughtUp.set(System.nanoTime());
                              appliedAtCatchUp.set(report.totalChanges());
                              cancellation.cancel(new InterruptedException("caught up"));
                            }
                          }
                        }));
    LoadResult result = run.get(30, TimeUnit.MINUTES);
    double catchUp = (caughtUp.get() - firstBatch.get()) / 1e9;
    FollowResult follow = result.follow();
    System.out.printf(
        "applier alone: backlog of %,d changes (%,d written) caught up in %.2f s after the first"
            + " batch: %,.0f changes/s; %,d batches, %,d rows written after folding per key;"
            + " DuckDB transactions took %.2f s of it%n",
        appliedAtCatchUp.get(),
        written,
        catchUp,
        appliedAtCatchUp.get() / Math.max(catchUp, 1e-9),
        follow.batches(),
        follow.rowsWritten(),
        applyNanos.get() / 1e9);
  }

  private void atRate(int rate, int seconds) throws Exception {
    Cancellation cancellation = new Cancellation();
    AtomicReference<BinlogPosition> reached = new AtomicReference<>();
    CompletableFuture<LoadResult> run =
        CompletableFuture.supplyAsync(
            () ->
                job(true)
                    .follow(settings())
                    .build()
                    .run(
                        cancellation,
                        new LoadListener() {
                          @Override
                          public void batchApplied(BatchReport report) {
                            reached.set(report.position());
                          }
                        }));
    Thread.sleep(3000); // the stream connects
    long started = System.nanoTime();
    long written = write((long) rate * seconds, rate, 4, 10);
    double writeSeconds = (System.nanoTime() - started) / 1e9;
    BinlogPosition target = position();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while ((reached.get() == null || reached.get().compareTo(target) < 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    cancellation.cancel(new InterruptedException("done"));
    FollowResult follow = run.get(5, TimeUnit.MINUTES).follow();
    System.out.printf(
        "rate %,d/s: wrote %,d changes in %.1f s (%,.0f/s achieved); freshness p50 %.2f s, p99"
            + " %.2f s, max %.2f s; %,d batches%n",
        rate,
        written,
        writeSeconds,
        written / writeSeconds,
        follow.freshnessP50(),
        follow.freshnessP99(),
        follow.freshnessMax(),
        follow.batches());
  }

  private long write(long changes, int rate, int threads, int perTransaction) throws Exception {
    return writer.write(changes, rate, threads, perTransaction, null);
  }

  private BinlogPosition position() throws SQLException {
    try (Connection c = Connections.open(config);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
      rs.next();
      return new BinlogPosition(rs.getString(1), rs.getLong(2), null);
    }
  }

  private void execute(String... statements) throws SQLException {
    try (Connection c = Connections.open(config);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
