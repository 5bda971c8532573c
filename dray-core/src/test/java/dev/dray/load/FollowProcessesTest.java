package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.Connections;
import dev.dray.load.follow.FollowFixture;
import dev.dray.load.follow.FollowSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code load --follow} in real processes: killed with kill -9 at several points under a live
 * writer, then resumed, it ends equal to the source with every acknowledged increment counted once;
 * and a second JVM reads the followed file while follow runs with a shared file.
 */
@Tag("slow")
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class FollowProcessesTest {
  private static FollowFixture fixture;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    fixture = FollowFixture.start("follow_processes");
  }

  @AfterAll
  static void stopServer() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** Writers: counter increments on known rows, inserts, and deletes of known rows. */
  private static final class Writer implements AutoCloseable {
    final AtomicBoolean writing = new AtomicBoolean(true);
    final AtomicLong increments = new AtomicLong();
    final AtomicLong nextEvent = new AtomicLong(1);
    final List<CompletableFuture<Void>> threads = new ArrayList<>();

    Writer(int count) {
      for (int w = 0; w < count; w++) {
        threads.add(CompletableFuture.runAsync(this::write));
      }
    }

    private void write() {
      try (Connection c = Connections.open(fixture.config);
          Statement s = c.createStatement()) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (writing.get()) {
          int id = random.nextInt(1, 1001);
          c.setAutoCommit(false);
          s.executeUpdate("UPDATE accounts SET counter = counter + 1 WHERE id = " + id);
          long event = nextEvent.getAndIncrement();
          s.executeUpdate(
              "INSERT INTO events (id, payload) VALUES (" + event + ", 'e" + event + "')");
          if (event % 3 == 0) {
            s.executeUpdate("DELETE FROM events WHERE id = " + (event - 1));
          }
          c.commit();
          increments.incrementAndGet();
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() throws Exception {
      writing.set(false);
      CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
  }

  private void createTables() {
    fixture.execute(
        "DROP TABLE IF EXISTS accounts",
        "DROP TABLE IF EXISTS events",
        "CREATE TABLE accounts (id INT NOT NULL, region INT NOT NULL, counter BIGINT NOT NULL,"
            + " PRIMARY KEY (id, region)) PARTITION BY HASH (region) PARTITIONS 4",
        "CREATE TABLE events (id BIGINT NOT NULL PRIMARY KEY, payload VARCHAR(40))");
    StringBuilder seed = new StringBuilder("INSERT INTO accounts VALUES ");
    for (int i = 1; i <= 1000; i++) {
      seed.append(i > 1 ? "," : "").append("(").append(i).append(",").append(i % 8).append(",0)");
    }
    fixture.execute(seed.toString());
  }

  @Test
  void killedAtFivePointsThenResumedEqualsTheSource() throws Exception {
    createTables();
    Path file = dir.resolve("crash.duckdb");
    String tables = fixture.schema + ".accounts," + fixture.schema + ".events";
    List<String> args = List.of(fixture.url(), "root", tables, file.toString(), "50", "150");
    try (Writer writer = new Writer(2)) {
      // 1: mid-load (tasks of 200 rows, a pause after each)
      Processes.Child child = start(args, "run1");
      child.await("finished", 120);
      child.kill();
      // 2: between batches
      child = start(args, "run2");
      child.await("batch", 120);
      child.kill();
      // 3: mid-batch: no pause after batches, killed at a random moment while batches go in
      List<String> fast = List.of(args.get(0), args.get(1), tables, file.toString(), "0", "0");
      child = start(fast, "run3");
      child.await("batch", 120);
      Thread.sleep(ThreadLocalRandom.current().nextInt(5, 60));
      child.kill();
      // 4: during a reload after a schema change on a followed table
      child = start(args, "run4");
      child.await("following", 120);
      fixture.execute("ALTER TABLE events ADD COLUMN extra INT DEFAULT 7");
      child.await("reloading", 120);
      child.kill();
      // 5: while following after that reload
      child = start(args, "run5");
      child.await("batch", 120);
      Thread.sleep(300);
      child.kill();
    }
    // the writer has stopped: resume in this JVM and stop once caught up
    FollowFixture.Running last =
        fixture
            .running()
            .start(
                fixture
                    .job(file, "accounts", "events")
                    .resume(true)
                    .follow(FollowSettings.defaults().withApplyInterval(Duration.ofMillis(100)))
                    .build());
    LoadResult result = last.stopWhenCaughtUp();

    assertThat(result.rowsThisRun()).isZero(); // resumed, not reloaded
    assertThat(FollowFixture.rows(file, "accounts", "id, region"))
        .containsExactlyElementsOf(fixture.freshLoad(dir, "accounts", "id, region"));
    assertThat(FollowFixture.rows(file, "events", "id"))
        .containsExactlyElementsOf(fixture.freshLoad(dir, "events", "id"));
    long increments = fixture_increments();
    assertThat(DuckDbFiles.queryLong(file, "SELECT sum(counter) FROM accounts"))
        .isEqualTo(increments);
  }

  /** The source's own total of increments (the writer's acknowledged count equals it). */
  private static long fixture_increments() throws SQLException {
    try (Connection c = Connections.open(fixture.config);
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT sum(counter) FROM accounts")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Processes.Child start(List<String> args, String name) throws Exception {
    return Processes.start(FollowCrashMain.class, args, dir.resolve(name + ".log"));
  }

  @Test
  void aSecondProcessReadsTheFollowedTablesWhileFollowRuns() throws Exception {
    fixture.execute(
        "DROP TABLE IF EXISTS ticks",
        "CREATE TABLE ticks (id INT NOT NULL PRIMARY KEY, n BIGINT NOT NULL)",
        "INSERT INTO ticks VALUES (1, 0)");
    Path file = dir.resolve("shared.duckdb");
    FollowFixture.Running running =
        fixture
            .running()
            .start(
                fixture
                    .job(file, "ticks")
                    .follow(
                        FollowSettings.defaults()
                            .withApplyInterval(Duration.ofMillis(250))
                            .withShareFile(true))
                    .build());
    int updates = 40;
    Processes.Child reader =
        Processes.start(
            FollowReaderMain.class,
            List.of(file.toString(), "SELECT n FROM ticks WHERE id = 1", "" + updates, "120"),
            dir.resolve("reader.log"));
    reader.await("seen 0", 60);
    long lastWrite = 0;
    for (int i = 1; i <= updates; i++) {
      fixture.execute("UPDATE ticks SET n = " + i + " WHERE id = 1");
      lastWrite = System.nanoTime();
      Thread.sleep(50);
    }
    reader.await("seen " + updates, 60);
    double visibleAfter = (System.nanoTime() - lastWrite) / 1e9;
    String summary = reader.await("opened", 30);
    LoadResult result = running.stopWhenCaughtUp();

    assertThat(visibleAfter).isLessThan(10.0);
    assertThat(result.follow().changesApplied()).isEqualTo(updates);
    assertThat(summary).matches("opened [1-9]\\d* failed \\d+");
    System.out.printf(
        "second process saw the last change %.2f s after it was written (%s); freshness p50 %.2f"
            + " s, p99 %.2f s%n",
        visibleAfter, summary, result.follow().freshnessP50(), result.follow().freshnessP99());
  }
}
