package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real worker processes of the CLI: two at once, and one killed with SIGKILL mid-batch. */
@Tag("slow")
@ExtendWith(MariaDbExtension.class)
class QueueProcessesTest {
  private static final Pattern PROCESSED = Pattern.compile("processed (\\d[\\d,]*) jobs");

  private static Process worker(Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DrayCli.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static long processed(Path log) throws IOException {
    Matcher m = PROCESSED.matcher(Files.readString(log));
    assertThat(m.find()).as("worker output: %s", Files.readString(log)).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void tenThousandJobsTwoProcessesEightWorkersEachJobOnce(TestDatabase db, @TempDir Path dir)
      throws Exception {
    String url = db.url();
    QueueCommandTest.dray("queue", "init", "--db", url, "--queue", "jobs", "--done-table");
    db.execute(
        "CREATE TABLE src (id INT PRIMARY KEY)", "INSERT INTO src SELECT seq FROM seq_1_to_10000");
    assertThat(
            QueueCommandTest.dray(
                    "queue",
                    "enqueue",
                    "--db",
                    url,
                    "--queue",
                    "jobs",
                    "--from-query",
                    "SELECT JSON_OBJECT('n', id) FROM src")
                .out())
        .contains("enqueued 10,000 of 10,000");
    Path logA = dir.resolve("a.log");
    Path logB = dir.resolve("b.log");
    String[] args = {
      "queue",
      "work",
      "--db",
      url,
      "--queue",
      "jobs",
      "--workers",
      "4",
      "--handler",
      "noop",
      "--until-empty"
    };
    Process a = worker(logA, args);
    Process b = worker(logB, args);
    assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(a.exitValue()).as(Files.readString(logA)).isZero();
    assertThat(b.exitValue()).as(Files.readString(logB)).isZero();
    // Every handler run was counted by its process; the done table has one row per job (its key).
    assertThat(processed(logA) + processed(logB)).isEqualTo(10_000);
    assertThat(db.queryLong("SELECT COUNT(*) FROM jobs_done")).isEqualTo(10_000);
    assertThat(db.queryLong("SELECT MAX(attempts) FROM jobs_done")).isEqualTo(1);
    assertThat(db.queryLong("SELECT COUNT(DISTINCT JSON_VALUE(payload, '$.n')) FROM jobs_done"))
        .isEqualTo(10_000);
    assertThat(db.queryLong("SELECT COUNT(*) FROM jobs")).isZero();
  }

  @Test
  void bulkEnqueueShowsTheAutoincLockModeWarningOnce(TestDatabase db, @TempDir Path dir)
      throws Exception {
    String url = db.url();
    QueueCommandTest.dray("queue", "init", "--db", url, "--queue", "warned");
    db.execute(
        "CREATE TABLE warned_src (id INT PRIMARY KEY)",
        "INSERT INTO warned_src SELECT seq FROM seq_1_to_3000");
    Path log = dir.resolve("enqueue.log");
    Process enqueue =
        worker(
            log,
            "queue",
            "enqueue",
            "--db",
            url,
            "--queue",
            "warned",
            "--from-query",
            "SELECT JSON_OBJECT('n', id) FROM warned_src",
            "--via-hold-table",
            "--chunk-size",
            "500",
            "--movers",
            "2");
    assertThat(enqueue.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log);
    assertThat(enqueue.exitValue()).as(output).isZero();
    assertThat(output).contains("enqueued 3,000 of 3,000");
    assertThat(db.queryLong("SELECT COUNT(*) FROM warned")).isEqualTo(3000);
    long mode = db.queryLong("SELECT @@innodb_autoinc_lock_mode");
    if (mode < 2) {
      assertThat(output.split("innodb_autoinc_lock_mode=2", -1)).as(output).hasSize(2);
      assertThat(output)
          .contains("dray: warning: ")
          .contains("innodb_autoinc_lock_mode is " + mode)
          .contains("1 mover instead of 2");
    } else {
      assertThat(output).doesNotContain("innodb_autoinc_lock_mode");
    }
  }

  @Test
  void killedWorkerProcessJobsComeBackAfterTheLease(TestDatabase db, @TempDir Path dir)
      throws Exception {
    String url = db.url();
    QueueCommandTest.dray("queue", "init", "--db", url, "--queue", "crash", "--done-table");
    db.execute(
        "CREATE TABLE crash_src (id INT PRIMARY KEY)",
        "INSERT INTO crash_src SELECT seq FROM seq_1_to_600");
    QueueCommandTest.dray(
        "queue",
        "enqueue",
        "--db",
        url,
        "--queue",
        "crash",
        "--from-query",
        "SELECT JSON_OBJECT('n', id) FROM crash_src");

    Process victim =
        worker(
            dir.resolve("victim.log"),
            "queue",
            "work",
            "--db",
            url,
            "--queue",
            "crash",
            "--workers",
            "2",
            "--batch",
            "20",
            "--handler",
            "sleep:20",
            "--lease",
            "2s");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (db.queryLong("SELECT COUNT(*) FROM crash_done") < 50 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    List<List<Object>> leasedAtKill = db.query("SELECT id, attempts FROM crash WHERE state = 1");
    assertThat(leasedAtKill).as("the victim held jobs when it died").isNotEmpty();
    long doneAtKill = db.queryLong("SELECT COUNT(*) FROM crash_done");

    Path logB = dir.resolve("survivor.log");
    Process survivor =
        worker(
            logB,
            "queue",
            "work",
            "--db",
            url,
            "--queue",
            "crash",
            "--workers",
            "4",
            "--handler",
            "noop",
            "--lease",
            "2s",
            "--until-empty");
    assertThat(survivor.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(survivor.exitValue()).as(Files.readString(logB)).isZero();

    assertThat(db.queryLong("SELECT COUNT(*) FROM crash")).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM crash_done")).isEqualTo(600);
    assertThat(processed(logB)).isEqualTo(600 - doneAtKill);
    String ids =
        leasedAtKill.stream()
            .map(row -> row.get(0).toString())
            .reduce((x, y) -> x + "," + y)
            .orElseThrow();
    // The jobs the dead process held were claimed again and completed, each with one attempt
    // more than it had at the kill: the ones it had started (charged) with their second, the ones
    // of its batch it had not started (uncharged) with their first.
    long expectedAttempts =
        leasedAtKill.stream().mapToLong(row -> ((Number) row.get(1)).longValue() + 1).sum();
    assertThat(
            db.query(
                "SELECT COUNT(*), SUM(attempts) FROM crash_done WHERE attempts IN (1, 2) AND id IN ("
                    + ids
                    + ")"))
        .containsExactly(
            List.of((long) leasedAtKill.size(), java.math.BigDecimal.valueOf(expectedAttempts)));
  }

  @Test
  void sigtermStopsGracefullyAndReleasesUnstartedClaims(TestDatabase db, @TempDir Path dir)
      throws Exception {
    String url = db.url();
    QueueCommandTest.dray("queue", "init", "--db", url, "--queue", "term");
    db.execute(
        "CREATE TABLE term_src (id INT PRIMARY KEY)",
        "INSERT INTO term_src SELECT seq FROM seq_1_to_300");
    QueueCommandTest.dray(
        "queue",
        "enqueue",
        "--db",
        url,
        "--queue",
        "term",
        "--from-query",
        "SELECT JSON_OBJECT('n', id) FROM term_src");
    Path log = dir.resolve("term.log");
    Process process =
        worker(
            log,
            "queue",
            "work",
            "--db",
            url,
            "--queue",
            "term",
            "--workers",
            "2",
            "--batch",
            "50",
            "--handler",
            "sleep:30");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (db.queryLong("SELECT COUNT(*) FROM term") > 280 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    process.destroy(); // SIGTERM
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    long processed = processed(log);
    assertThat(Files.readString(log)).containsPattern("\\d+ released");
    assertThat(db.queryLong("SELECT COUNT(*) FROM term WHERE state = 1"))
        .as("no job left leased")
        .isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM term WHERE state = 0"))
        .isEqualTo(300 - processed);
    assertThat(db.queryLong("SELECT MAX(attempts) FROM term"))
        .as("released jobs keep their attempt")
        .isZero();
  }
}
