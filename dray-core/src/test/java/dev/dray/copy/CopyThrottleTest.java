package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.run.Cancellation;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class CopyThrottleTest {
  private static final int ROWS = 1000;

  private static void createTables(TestDatabase db, String name) {
    db.execute(
        "DROP TABLE IF EXISTS " + name,
        "CREATE TABLE "
            + name
            + " (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NOT NULL)",
        "INSERT INTO " + name + " SELECT seq, seq % 100, MD5(seq) FROM seq_1_to_" + ROWS,
        "DROP TABLE IF EXISTS " + name + "_copy",
        "CREATE TABLE " + name + "_copy LIKE " + name);
  }

  private static CopyJob.Builder job(TestDatabase db, String name) {
    return CopyJob.builder()
        .source(db.config())
        .sourceTable(db.table(name))
        .targetTable(db.table(name + "_copy"))
        .chunkRows(100)
        .workers(2);
  }

  /**
   * Runs the job in the background; returns its result future and the progress supplier once
   * started. Also used by {@link ReplicaLagThrottleTest}.
   */
  static CompletableFuture<CopyResult> start(
      CopyJob job, Cancellation cancellation, AtomicReference<Supplier<CopyProgress>> progress) {
    return CompletableFuture.supplyAsync(
        () ->
            job.run(
                cancellation,
                new CopyListener() {
                  @Override
                  public void started(Supplier<CopyProgress> supplier) {
                    progress.set(supplier);
                  }
                }));
  }

  private static CopyProgress awaitThrottled(AtomicReference<Supplier<CopyProgress>> progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Supplier<CopyProgress> supplier = progress.get();
      if (supplier != null && supplier.get().throttleReason() != null) {
        Thread.sleep(300); // stays held back
        return supplier.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the copy was never throttled");
  }

  @Test
  void pausesWhileThePauseFileExists(TestDatabase db, @TempDir Path dir) throws Exception {
    createTables(db, "pf");
    Path pauseFile = Files.createFile(dir.resolve("pause"));
    AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
    CompletableFuture<CopyResult> result =
        start(job(db, "pf").pauseFile(pauseFile).build(), new Cancellation(), progress);
    CopyProgress paused = awaitThrottled(progress);
    assertThat(paused.throttleReason()).contains("pause file");
    assertThat(paused.rowsCopied()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM pf_copy")).isZero();
    Files.delete(pauseFile);
    CopyResult done = result.get(30, TimeUnit.SECONDS);
    assertThat(done.rowsCopied()).isEqualTo(ROWS);
    assertThat(done.throttledSeconds()).isGreaterThan(0.2);
  }

  @Test
  void pausesWhileTheThrottleQueryReturnsNonZero(TestDatabase db) throws Exception {
    createTables(db, "tq");
    db.execute(
        "DROP TABLE IF EXISTS flag",
        "CREATE TABLE flag (v INT NOT NULL)",
        "INSERT INTO flag VALUES (1)");
    AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
    CompletableFuture<CopyResult> result =
        start(
            job(db, "tq").throttleQuery("SELECT v FROM `" + db.schema() + "`.flag").build(),
            new Cancellation(),
            progress);
    CopyProgress paused = awaitThrottled(progress);
    assertThat(paused.throttleReason()).contains("throttle query returned 1");
    assertThat(paused.rowsCopied()).isZero();
    db.execute("UPDATE flag SET v = 0");
    CopyResult done = result.get(30, TimeUnit.SECONDS);
    assertThat(done.rowsCopied()).isEqualTo(ROWS);
    assertThat(done.throttledSeconds()).isGreaterThan(0.2);
  }

  @Test
  void keepsToTheRateLimit(TestDatabase db) {
    createTables(db, "rl");
    CopyResult done = job(db, "rl").maxRowsPerSecond(2000).build().run();
    assertThat(done.rowsCopied()).isEqualTo(ROWS);
    // 1000 rows at 2000 rows/s from an empty bucket: at least ~0.4 s, mostly spent throttled
    assertThat(done.seconds()).isGreaterThan(0.35);
    assertThat(done.throttledSeconds()).isGreaterThan(0.2);
  }

  @Test
  void pausesWhileTooManyThreadsRun(TestDatabase db) throws Exception {
    createTables(db, "tr");
    // a sleeping query plus the throttle check's own query: 2 running threads, above a limit of 1
    java.sql.Connection busy = db.connect();
    long busyId;
    try (java.sql.Statement statement = busy.createStatement();
        java.sql.ResultSet rs = statement.executeQuery("SELECT CONNECTION_ID()")) {
      rs.next();
      busyId = rs.getLong(1);
    }
    CompletableFuture<Void> sleeper =
        CompletableFuture.runAsync(
            () -> {
              try (java.sql.Statement statement = busy.createStatement()) {
                statement.execute("SELECT SLEEP(60)");
              } catch (java.sql.SQLException e) {
                // killed at the end of the test
              }
            });
    awaitRunning(db, busyId, "SELECT SLEEP");
    Cancellation cancellation = new Cancellation();
    AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
    CompletableFuture<CopyResult> result =
        start(job(db, "tr").maxThreadsRunning(1).build(), cancellation, progress);
    CopyProgress paused = awaitThrottled(progress);
    assertThat(paused.throttleReason()).contains("threads running");
    assertThat(paused.rowsCopied()).isZero();
    cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, "test stops the copy"));
    assertThatThrownBy(() -> result.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DrayException.class)
        .hasMessageContaining("test stops the copy");
    assertThat(db.queryLong("SELECT COUNT(*) FROM tr_copy")).isZero();
    db.execute("KILL " + busyId);
    sleeper.get(30, TimeUnit.SECONDS);
    // a generous limit lets it run
    assertThat(job(db, "tr").maxThreadsRunning(10_000).resume(true).build().run().rowsCopied())
        .isEqualTo(ROWS);
  }

  /**
   * Waits until the server shows the connection running a statement that starts with {@code sql}.
   */
  private static void awaitRunning(TestDatabase db, long connectionId, String sql)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (db.queryLong(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = "
                + connectionId
                + " AND INFO LIKE '"
                + sql
                + "%'")
        == 0) {
      assertThat(System.nanoTime()).as("%s started within 30 s", sql).isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
