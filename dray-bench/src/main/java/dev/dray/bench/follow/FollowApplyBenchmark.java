package dev.dray.bench.follow;

import dev.dray.change.ChangeTransaction;
import dev.dray.change.RowChange;
import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.EmbeddedMariaDb;
import dev.dray.db.TableName;
import dev.dray.load.FollowTable;
import dev.dray.load.FollowTarget;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadListener;
import dev.dray.load.LoadResult;
import dev.dray.load.follow.BatchReport;
import dev.dray.load.follow.ChangeBatch;
import dev.dray.load.follow.FollowResult;
import dev.dray.load.follow.FollowSettings;
import dev.dray.run.Cancellation;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two W5 figures of {@code load --follow}, quickly (docs/BENCHMARKS.md, W5):
 *
 * <ol>
 *   <li><b>the applier alone</b>: CHANGES synthetic changes to the orders-like table (a third
 *       inserts of new ids, a third updates of existing ids, a third deletes; 10 per transaction)
 *       are folded per key into batches of BATCH changes and applied to the loaded DuckDB file,
 *       exactly as follow applies a batch (a TEMP batch table through the appender, one DELETE and
 *       one INSERT per table, the position row, one transaction), and as follow does, the next
 *       batch is folded while the one before is applied. No binary log is read: this is the DuckDB
 *       side alone. Prints changes/s and the time per batch.
 *   <li><b>freshness at a fixed rate</b>: a fresh {@code load --follow} of the table while a writer
 *       makes RATE changes/s for SECONDS (10 per transaction). Freshness per source transaction is
 *       measured exactly: the writer notes each commit's wall time and GTID, the follow's listener
 *       notes when the batch that reaches that GTID is visible. Also prints dray's own per-batch
 *       figure (from the log's whole-second commit times, an upper bound by up to a second).
 * </ol>
 *
 * <p>Arguments: {@code WORK_DIR ROWS CHANGES BATCH RATE SECONDS [SOURCE_URL]} (RATE 0: the applier
 * alone only). Without SOURCE_URL an embedded MariaDB is started with a ROW binary log ({@code
 * innodb_flush_log_at_trx_commit=2}); with one, it must have {@code log_bin}, ROW format, FULL
 * images, and root without a password. The schema {@code follow_apply} is dropped and created.
 */
public final class FollowApplyBenchmark {
  private static final String SCHEMA = "follow_apply";

  private final String base;
  private final ConnectionConfig config;
  private final Path dir;

  private FollowApplyBenchmark(String serverUrl, Path dir) {
    this.base = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
    this.config = new ConnectionConfig(base + SCHEMA, "root", null);
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    int changes = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    int rate = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);
    Files.createDirectories(dir);
    EmbeddedMariaDb server = null;
    String url;
    if (args.length > 6) {
      url = args[6];
    } else {
      server =
          EmbeddedMariaDb.start(
              List.of(
                  "--innodb-buffer-pool-size=256M",
                  "--innodb-flush-log-at-trx-commit=2",
                  "--server-id=1",
                  "--log-bin=bench-bin",
                  "--binlog-format=ROW",
                  "--binlog-row-image=FULL"));
      url = server.jdbcUrl("");
    }
    try {
      FollowApplyBenchmark bench = new FollowApplyBenchmark(url, dir);
      bench.createTable(rows);
      bench.applierAlone(rows, changes, batch);
      if (rate > 0) {
        bench.freshnessAtRate(rows, rate, seconds);
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
    System.exit(0);
  }

  private void createTable(long rows) throws SQLException {
    try (Connection c = Connections.open(new ConnectionConfig(base + "mysql", "root", null));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + SCHEMA);
      s.execute("CREATE DATABASE " + SCHEMA);
      s.execute(
          "CREATE TABLE "
              + SCHEMA
              + ".orders (id BIGINT NOT NULL PRIMARY KEY, customer INT NOT NULL, status"
              + " VARCHAR(16) NOT NULL, amount DECIMAL(12,2) NOT NULL, created DATETIME NOT NULL,"
              + " note VARCHAR(64)) PARTITION BY HASH (id) PARTITIONS 8");
      s.execute(
          "INSERT INTO "
              + SCHEMA
              + ".orders SELECT seq, seq % 10007, 'new', (seq % 100000) / 100, '2026-01-01' +"
              + " INTERVAL (seq % 86400) SECOND, CONCAT('note ', seq) FROM seq_1_to_"
              + rows);
    }
  }

  private LoadJob job(Path file, FollowSettings follow) {
    return LoadJob.builder()
        .source(config)
        .table(new TableName(SCHEMA, "orders"))
        .target(file)
        .follow(follow)
        .build();
  }

  private void applierAlone(long rows, int changes, int batchSize) throws Exception {
    Path file = dir.resolve("applier.duckdb");
    Files.deleteIfExists(file);
    LoadJob job = job(file, FollowSettings.defaults().withFollowFor(Duration.ofMillis(500)));
    job.run();
    FollowTable orders = job.followTables().get(0);
    TableName name = orders.source();
    List<ChangeTransaction> transactions = synthetic(name, rows, changes);
    Map<TableName, FollowTable> tables = Map.of(name, orders);
    long[] batchNanos = new long[(changes + batchSize - 1) / batchSize];
    int batches = 0;
    long rowsWritten = 0;
    // as follow does it: the next batch is folded while the one before is applied on a thread
    ExecutorService applier = Executors.newSingleThreadExecutor();
    try (FollowTarget target = FollowTarget.open(file)) {
      target.prepare(List.of(orders));
      long started = System.nanoTime();
      Future<?> inFlight = null;
      ChangeBatch batch = new ChangeBatch(tables, Map.of());
      for (int i = 0; i < transactions.size(); i++) {
        batch.add(transactions.get(i));
        if (batch.changes() >= batchSize || i == transactions.size() - 1) {
          if (inFlight != null) {
            inFlight.get();
          }
          ChangeBatch full = batch;
          int number = batches++;
          rowsWritten += full.rowCount();
          inFlight =
              applier.submit(
                  () -> {
                    long applying = System.nanoTime();
                    target.apply(full.rowsByTable(), full.end(), Set.of());
                    batchNanos[number] = System.nanoTime() - applying;
                  });
          batch = new ChangeBatch(tables, Map.of());
        }
      }
      inFlight.get();
      double total = (System.nanoTime() - started) / 1e9;
      long[] sorted = Arrays.copyOf(batchNanos, batches);
      Arrays.sort(sorted);
      System.out.printf(
          "applier alone: %,d changes on a %,d-row table in %.2f s: %,.0f changes/s; %d batches"
              + " of %,d changes (%,d rows after folding), apply per batch median %.0f ms, max"
              + " %.0f ms%n",
          changes,
          rows,
          total,
          changes / total,
          batches,
          batchSize,
          rowsWritten,
          sorted[batches / 2] / 1e6,
          sorted[batches - 1] / 1e6);
    } finally {
      applier.shutdown();
    }
  }

  /** Changes as the change stream decodes them: numbers, text, DATETIME as the server prints it. */
  private static List<ChangeTransaction> synthetic(TableName table, long rows, int changes) {
    Random random = new Random(5);
    List<ChangeTransaction> transactions = new ArrayList<>();
    List<RowChange> pending = new ArrayList<>();
    long nextId = rows + 1;
    BinlogPosition previous = new BinlogPosition("bench-bin.000001", 4, null);
    Instant now = Instant.now();
    for (int i = 0; i < changes; i++) {
      switch (i % 3) {
        case 0 -> pending.add(RowChange.insert(table, image(nextId++, "new")));
        case 1 -> {
          long id = 1 + (long) (random.nextDouble() * (nextId - 1));
          pending.add(RowChange.update(table, image(id, "new"), image(id, "paid")));
        }
        default -> {
          long id = 1 + (long) (random.nextDouble() * (nextId - 1));
          pending.add(RowChange.delete(table, image(id, "new")));
        }
      }
      if (pending.size() == 10 || i == changes - 1) {
        BinlogPosition end = new BinlogPosition(previous.file(), previous.position() + 500, null);
        transactions.add(
            new ChangeTransaction(transactions.size() + 1, previous, end, now, pending));
        pending = new ArrayList<>();
        previous = end;
      }
    }
    return transactions;
  }

  private static List<Object> image(long id, String status) {
    return Arrays.asList(
        id,
        (int) (id % 10007),
        status,
        new BigDecimal("12.34"),
        "2026-01-01 10:11:12",
        "note " + id);
  }

  private void freshnessAtRate(long rows, int rate, int seconds) throws Exception {
    Path file = dir.resolve("w5.duckdb");
    Files.deleteIfExists(file);
    ConcurrentSkipListMap<Long, Long> committedAt = new ConcurrentSkipListMap<>();
    List<Double> exact = new ArrayList<>();
    AtomicLong reachedSequence = new AtomicLong(-1);
    AtomicLong late = new AtomicLong();
    Cancellation cancellation = new Cancellation();
    java.util.concurrent.CountDownLatch following = new java.util.concurrent.CountDownLatch(1);
    LoadListener listener =
        new LoadListener() {
          @Override
          public void followStarted(BinlogPosition position) {
            following.countDown();
          }

          @Override
          public void batchApplied(BatchReport report) {
            long now = System.nanoTime();
            long sequence = W5Writer.sequence(report.position().gtid());
            reachedSequence.accumulateAndGet(sequence, Math::max);
            var visible = committedAt.headMap(sequence, true);
            synchronized (exact) {
              visible.values().forEach(at -> exact.add((now - at) / 1e9));
            }
            visible.clear();
          }
        };
    LoadJob job = job(file, FollowSettings.defaults());
    CompletableFuture<LoadResult> run =
        CompletableFuture.supplyAsync(() -> job.run(cancellation, listener));
    following.await(5, TimeUnit.MINUTES);
    W5Writer writer = new W5Writer(config, rows + 1);
    long started = System.nanoTime();
    long written =
        writer.write(
            (long) rate * seconds,
            rate,
            8,
            10,
            (sequence, at) -> {
              if (sequence <= reachedSequence.get()) {
                late.incrementAndGet(); // applied before the writer noted it: not counted
              } else {
                committedAt.put(sequence, at);
              }
            });
    double writeSeconds = (System.nanoTime() - started) / 1e9;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!committedAt.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    cancellation.cancel(new InterruptedException("done"));
    FollowResult follow = run.get(5, TimeUnit.MINUTES).follow();
    List<Double> sorted;
    synchronized (exact) {
      sorted = new ArrayList<>(exact);
    }
    sorted.sort(null);
    System.out.printf(
        "freshness at %,d changes/s asked: wrote %,d changes in %.1f s (%,.0f/s reached);"
            + " per transaction (exact, %,d of them, %,d not timed): p50 %.3f s, p99 %.3f s, max"
            + " %.3f s; dray's per-batch figure (whole-second commit times): p50 %.2f s, p99 %.2f"
            + " s, max %.2f s; %,d batches%n",
        rate,
        written,
        writeSeconds,
        written / writeSeconds,
        sorted.size(),
        late.get() + committedAt.size(),
        percentile(sorted, 50),
        percentile(sorted, 99),
        sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1),
        follow.freshnessP50(),
        follow.freshnessP99(),
        follow.freshnessMax(),
        follow.batches());
  }

  private static double percentile(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
