package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real {@code dray copy} process with SIGKILL at several points of its run, resumes each
 * time, and checks that the checkpoint never claims rows the target lacks and that the final table
 * verifies equal.
 */
@Tag("slow")
@ExtendWith(MariaDbExtension.class)
class CopyCrashTest {
  private static final int ROWS = 20_000;

  @Test
  void survivesKillNineAtFivePointsAndVerifiesEqual(TestDatabase db, @TempDir Path dir)
      throws Exception {
    db.execute(
        "CREATE TABLE src (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NULL)",
        "INSERT INTO src SELECT seq * 3, seq % 1000, IF(seq % 11 = 0, NULL, MD5(seq)) FROM seq_1_to_"
            + ROWS,
        "CREATE TABLE dst LIKE src");
    String jobId = db.schema() + ".src>" + db.schema() + ".dst";
    // kill points: before the checkpoint exists, then at growing frontier positions (80 chunks in
    // all)
    long[] killAtChunk = {-1, 4, 16, 32, 48, 64};
    int kills = 0;
    for (long threshold : killAtChunk) {
      Process process = startCopy(dir, kills > 0, 6_000);
      if (threshold < 0) {
        Thread.sleep(400);
      } else {
        try {
          awaitCheckpoint(db, jobId, threshold, process);
        } catch (AssertionError e) {
          throw new AssertionError(
              e.getMessage() + "; stderr: " + Files.readString(dir.resolve("err.log")), e);
        }
      }
      assertThat(process.isAlive()).as("copy still running at kill point %d", threshold).isTrue();
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      kills++;
      assertCheckpointValid(db, jobId);
    }
    assertThat(kills).isGreaterThanOrEqualTo(5);
    Process last = startCopy(dir, true, 0);
    assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(last.exitValue()).as(Files.readString(dir.resolve("err.log"))).isZero();
    assertThat(db.queryLong("SELECT finished FROM _dray_checkpoint WHERE job_id = '" + jobId + "'"))
        .isEqualTo(1);

    CopyCommandTest.Run verify =
        CopyCommandTest.dray(
            "verify",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".src",
            "--target-table",
            db.schema() + ".dst");
    assertThat(verify.exitCode()).as(verify.out()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM dst")).isEqualTo(ROWS);
  }

  private Process startCopy(Path dir, boolean resume, long maxRowsPerSecond) throws Exception {
    // the class path of this test JVM holds dray-cli's classes and all its dependencies
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DrayCli.class.getName());
    command.add("copy");
    command.add("--source");
    command.add(db.url());
    command.add("--table");
    command.add(db.schema() + ".src");
    command.add("--target-table");
    command.add(db.schema() + ".dst");
    command.add("--chunk-size");
    command.add("250");
    command.add("--workers");
    command.add("4");
    command.add("--progress-interval");
    command.add("0");
    if (maxRowsPerSecond > 0) {
      command.add("--max-rows-per-second");
      command.add(Long.toString(maxRowsPerSecond));
    }
    if (resume) {
      command.add("--resume");
    }
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve("out.log").toFile())
        .redirectError(dir.resolve("err.log").toFile())
        .start();
  }

  private TestDatabase db;

  @org.junit.jupiter.api.BeforeEach
  void remember(TestDatabase database) {
    this.db = database;
  }

  private static void awaitCheckpoint(TestDatabase db, String jobId, long sequence, Process process)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && process.isAlive()) {
      List<List<Object>> found = checkpointRow(db, jobId, "frontier_sequence");
      if (!found.isEmpty() && ((Number) found.get(0).get(0)).longValue() >= sequence) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError(
        "the checkpoint never reached chunk "
            + sequence
            + (process.isAlive() ? "" : "; the copy exited with " + process.exitValue()));
  }

  /** The job's checkpoint row, or nothing before the copy created the table. */
  private static List<List<Object>> checkpointRow(TestDatabase db, String jobId, String columns) {
    if (db.queryLong(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_dray_checkpoint'")
        == 0) {
      return List.of();
    }
    return db.query("SELECT " + columns + " FROM _dray_checkpoint WHERE job_id = '" + jobId + "'");
  }

  /** Every source row below the checkpoint's upper bound is in the target. */
  private static void assertCheckpointValid(TestDatabase db, String jobId) {
    List<List<Object>> rows = checkpointRow(db, jobId, "frontier_sequence, last_range");
    if (rows.isEmpty() || rows.get(0).get(1) == null) {
      return;
    }
    String range = (String) rows.get(0).get(1);
    List<Object> upper = dev.dray.plan.KeyCodec.decodeRange(range).upper();
    long bound = upper == null ? Long.MAX_VALUE : ((Number) upper.get(0)).longValue();
    long expected = db.queryLong("SELECT COUNT(*) FROM src WHERE id < " + bound);
    long actual = db.queryLong("SELECT COUNT(*) FROM dst WHERE id < " + bound);
    assertThat(actual)
        .as("rows below checkpoint bound %d (chunk %s)", bound, rows.get(0).get(0))
        .isEqualTo(expected);
  }
}
