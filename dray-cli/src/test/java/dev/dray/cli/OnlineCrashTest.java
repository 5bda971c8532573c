package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.Connections;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills real {@code dray copy --online} and {@code --follow} processes with SIGKILL while writers
 * change the source (before the checkpoint exists, at three points of the chunk copy, while
 * following), resumes each time, then stops a last {@code --follow} with SIGTERM: it exits 0, and
 * the target verifies equal to the source.
 */
@Tag("slow")
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class OnlineCrashTest {
  private static final int ROWS = 20_000;

  @Test
  void survivesKillNineMidCopyAndWhileFollowingThenStopsCleanlyOnSigterm(@TempDir Path dir)
      throws Exception {
    TestDatabase db = BinlogServer.newDatabase("online_crash");
    db.execute(
        "CREATE TABLE src (id BIGINT NOT NULL PRIMARY KEY, counter BIGINT NOT NULL, b VARCHAR(64) NULL)",
        "INSERT INTO src SELECT seq * 3, 0, MD5(seq) FROM seq_1_to_" + ROWS,
        "CREATE TABLE dst LIKE src");
    String jobId = db.schema() + ".src>" + db.schema() + ".dst";
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    AtomicLong writes = new AtomicLong();
    Thread writer = new Thread(() -> write(db, stop, writes, writerFailure), "test-writer");
    writer.start();
    try {
      int kills = 0;
      for (long threshold : new long[] {-1, 10, 30, 55}) {
        Process process = start(db, dir, kills > 0, false, 4_000);
        if (threshold < 0) {
          Thread.sleep(1500);
        } else {
          awaitCheckpoint(db, jobId, threshold, process, dir);
        }
        assertThat(process.isAlive()).as(log(dir)).isTrue();
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        kills++;
      }
      // the copy finishes and follows; killed while following
      Process following = start(db, dir, true, true, 0);
      awaitCaughtUp(following, dir);
      Thread.sleep(500);
      following.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      kills++;
      assertThat(kills).isEqualTo(5);
      assertThat(writes.get()).isPositive();
    } finally {
      stop.set(true);
      writer.join();
    }
    assertThat(writerFailure.get()).isNull();

    Process last = start(db, dir, true, true, 0);
    awaitCaughtUp(last, dir);
    Thread.sleep(1000); // everything written is read by now
    last.destroy(); // SIGTERM
    assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(last.exitValue()).as(log(dir)).isZero();
    assertThat(Files.readString(dir.resolve("out.log"))).contains("consistent with binlog");

    CopyCommandTest.Run verify =
        CopyCommandTest.dray(
            "verify",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".src",
            "--target-table",
            db.schema() + ".dst");
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
  }

  private static void write(
      TestDatabase db, AtomicBoolean stop, AtomicLong writes, AtomicReference<Throwable> failure) {
    Random random = new Random(11);
    long next = 10_000_000;
    try (Connection connection = Connections.open(db.config());
        PreparedStatement increment =
            connection.prepareStatement("UPDATE src SET counter = counter + 1 WHERE id = ?");
        PreparedStatement insert =
            connection.prepareStatement("INSERT INTO src VALUES (?, 1, 'new')");
        PreparedStatement delete = connection.prepareStatement("DELETE FROM src WHERE id = ?");
        PreparedStatement move =
            connection.prepareStatement("UPDATE src SET id = id + 1 WHERE id = ? AND id % 3 = 0")) {
      while (!stop.get()) {
        long id = 3L * (1 + random.nextInt(ROWS));
        switch (random.nextInt(4)) {
          case 0 -> {
            insert.setLong(1, next++);
            writes.addAndGet(insert.executeUpdate());
          }
          case 1 -> {
            delete.setLong(1, id);
            writes.addAndGet(delete.executeUpdate());
          }
          case 2 -> {
            move.setLong(1, id);
            writes.addAndGet(move.executeUpdate());
          }
          default -> {
            increment.setLong(1, id);
            writes.addAndGet(increment.executeUpdate());
          }
        }
        Thread.sleep(1);
      }
    } catch (Throwable e) {
      failure.set(e);
    }
  }

  private static Process start(
      TestDatabase db, Path dir, boolean resume, boolean follow, long maxRowsPerSecond)
      throws Exception {
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
    command.add(follow ? "--follow" : "--online");
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

  private static String log(Path dir) throws Exception {
    return "stdout: "
        + Files.readString(dir.resolve("out.log"))
        + " stderr: "
        + Files.readString(dir.resolve("err.log"));
  }

  private static void awaitCaughtUp(Process process, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (Files.readString(dir.resolve("err.log")).contains("online: caught up at")) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the copy never caught up; " + log(dir));
  }

  private static void awaitCheckpoint(
      TestDatabase db, String jobId, long sequence, Process process, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (db.queryLong(
                  "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                      + " AND TABLE_NAME = '_dray_checkpoint'")
              > 0
          && db.queryLong(
                  "SELECT COALESCE(MAX(frontier_sequence), -1) FROM _dray_checkpoint WHERE job_id = '"
                      + jobId
                      + "'")
              >= sequence) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the checkpoint never reached chunk " + sequence + "; " + log(dir));
  }
}
