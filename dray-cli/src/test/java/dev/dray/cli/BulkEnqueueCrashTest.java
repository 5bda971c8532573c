package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real {@code dray queue enqueue --via-hold-table} with SIGKILL while it moves jobs, runs
 * the same command again, and checks that every payload is enqueued exactly once and no hold table
 * is left.
 */
@Tag("slow")
@ExtendWith(MariaDbExtension.class)
class BulkEnqueueCrashTest {
  private static final int ROWS = 60_000;

  private static long holdTables(TestDatabase db) {
    return db.queryLong(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
            + " AND table_name LIKE 'bulkq\\_hold\\_%'");
  }

  private static long movedSoFar(TestDatabase db) {
    if (db.queryLong(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                + " AND table_name = 'bulkq_enqueues'")
        == 0) {
      return 0;
    }
    return db.queryLong("SELECT COALESCE(SUM(inserted), 0) FROM bulkq_enqueues");
  }

  @Test
  void killedMidMoveThenRunAgainEnqueuesEachPayloadOnceAndCleansUp(
      TestDatabase db, @TempDir Path dir) throws Exception {
    QueueCommandTest.dray("queue", "init", "--db", db.url(), "--queue", "bulkq");
    db.execute(
        "CREATE TABLE bulk_users (id INT PRIMARY KEY)",
        "INSERT INTO bulk_users SELECT seq FROM seq_1_to_" + ROWS);
    String[] enqueue = {
      "queue",
      "enqueue",
      "--db",
      db.url(),
      "--queue",
      "bulkq",
      "--from-query",
      "SELECT JSON_OBJECT('user', id) AS payload FROM bulk_users",
      "--via-hold-table",
      "--chunk-size",
      "100",
      "--movers",
      "2"
    };
    Path log = dir.resolve("first.log");
    Process first = QueueStopTest.dray(log, Map.of(), enqueue);
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (db.queryLong("SELECT COUNT(*) FROM bulkq") < ROWS / 10
        && first.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(first.isAlive()).as("still moving: %s", Files.readString(log)).isTrue();
    first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

    long queuedAtKill = db.queryLong("SELECT COUNT(*) FROM bulkq");
    assertThat(queuedAtKill).as("killed mid-move").isBetween(1L, ROWS - 1L);
    // the frontier in the progress table counts exactly the committed chunks
    assertThat(movedSoFar(db)).isEqualTo(queuedAtKill);
    assertThat(holdTables(db)).as("the hold table waits for the re-run").isEqualTo(1);

    CliRun again = CliRun.of(enqueue);
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out())
        .contains("resumed bulk enqueue")
        .contains(String.format("%,d of its jobs were enqueued by an earlier run", queuedAtKill))
        .contains(String.format("enqueued %,d of %,d jobs", ROWS, ROWS));
    assertThat(
            db.query("SELECT COUNT(*), COUNT(DISTINCT JSON_VALUE(payload, '$.user')) FROM bulkq"))
        .containsExactly(List.of((long) ROWS, (long) ROWS));
    assertThat(holdTables(db)).as("no hold table left").isZero();

    // a finished enqueue run once more adds nothing; --again adds the rows again
    CliRun done = CliRun.of(enqueue);
    assertThat(done.exitCode()).as(done.err()).isZero();
    assertThat(done.out()).contains("nothing enqueued").contains("--again");
    assertThat(db.queryLong("SELECT COUNT(*) FROM bulkq")).isEqualTo(ROWS);
    String[] repeat = java.util.Arrays.copyOf(enqueue, enqueue.length + 1);
    repeat[enqueue.length] = "--again";
    CliRun twice = CliRun.of(repeat);
    assertThat(twice.exitCode()).as(twice.err()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM bulkq")).isEqualTo(2L * ROWS);
    assertThat(holdTables(db)).isZero();
  }
}
