package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 4 with real processes: while a {@code dray copy} child process runs, a second
 * {@code dray copy --resume} of the same tables (the advice the first refusal used to give) and a
 * {@code verify} refuse with one line naming the session that holds the job's lock; once the child
 * is killed with SIGKILL, the server releases its lock and {@code --resume} finishes the copy, with
 * the checkpoint's row count exact.
 */
@ExtendWith(MariaDbExtension.class)
class CopyLockCrashTest {
  private static final int ROWS = 20_000;

  @Test
  void aSecondRunRefusesWhileTheFirstLivesAndTakesOverAfterKillNine(
      TestDatabase db, @TempDir Path dir) throws Exception {
    db.execute(
        "CREATE TABLE src (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NULL)",
        "INSERT INTO src SELECT seq * 2, seq % 1000, IF(seq % 11 = 0, NULL, MD5(seq)) FROM seq_1_to_"
            + ROWS,
        "CREATE TABLE dst LIKE src");
    String jobId = db.schema() + ".src>" + db.schema() + ".dst";
    String[] copy = {
      "copy",
      "--source",
      db.url(),
      "--table",
      db.schema() + ".src",
      "--target-table",
      db.schema() + ".dst",
      "--chunk-size",
      "250",
      "--workers",
      "3",
      "--progress-interval",
      "0"
    };
    // about 15 s of copying at this rate: long enough to be refused and killed half way
    Process first = start(dir, copy, "--max-rows-per-second", "1500");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (copied(db) < 2000 && System.nanoTime() < deadline && first.isAlive()) {
        Thread.sleep(20);
      }
      assertThat(first.isAlive())
          .as(
              "the first copy is still running; its stderr: %s",
              Files.readString(dir.resolve("err.log")))
          .isTrue();
      assertThat(copied(db)).isGreaterThanOrEqualTo(2000);
      long holder = db.queryLong("SELECT IS_USED_LOCK('dray:copy:" + db.schema() + ".dst')");

      CopyCommandTest.Run second = CopyCommandTest.dray(with(copy, "--resume"));
      assertThat(second.exitCode()).isEqualTo(1);
      assertThat(second.err().strip())
          .startsWith("dray: copy " + jobId + " cannot start: connection " + holder)
          .contains("holds its lock dray:copy:" + db.schema() + ".dst")
          .doesNotContain("\n");
      CopyCommandTest.Run verify =
          CopyCommandTest.dray(
              "verify",
              "--source",
              db.url(),
              "--table",
              db.schema() + ".src",
              "--target-table",
              db.schema() + ".dst");
      assertThat(verify.exitCode()).isEqualTo(1);
      assertThat(verify.err()).contains("cannot start: connection " + holder);
    } finally {
      first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(db.queryLong("SELECT COUNT(*) FROM dst")).isLessThan(ROWS);

    CopyCommandTest.Run resumed = CopyCommandTest.dray(with(copy, "--resume"));
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(
            db.queryLong("SELECT rows_copied FROM _dray_checkpoint WHERE job_id = '" + jobId + "'"))
        .isEqualTo(ROWS);
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
  }

  private static String[] with(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static long copied(TestDatabase db) {
    return db.queryLong("SELECT COUNT(*) FROM dst");
  }

  private static Process start(Path dir, String[] args, String... more) throws Exception {
    // the class path of this test JVM holds dray-cli's classes and all its dependencies
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DrayCli.class.getName());
    command.addAll(List.of(with(args, more)));
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve("out.log").toFile())
        .redirectError(dir.resolve("err.log").toFile())
        .start();
  }
}
