package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.queue.JobQueue;
import dev.dray.queue.QueueSession;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code dray queue work} processes stopped with SIGTERM or killed by their own handler, with
 * real {@code exec:} handler processes: graceful stop semantics, handler environment, and attempts
 * of the innocent jobs of a batch.
 */
@Tag("slow")
@ExtendWith(MariaDbExtension.class)
class QueueStopTest {
  private static final String PASSWORD = "handler-pw-7d1f";

  static Process dray(Path log, Map<String, String> extraEnv, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DrayCli.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(extraEnv);
    return builder.start();
  }

  private static void enqueue(TestDatabase db, String queue, int count) {
    db.execute(
        "CREATE TABLE " + queue + "_src (id INT PRIMARY KEY)",
        "INSERT INTO " + queue + "_src SELECT seq FROM seq_1_to_" + count);
    QueueCommandTest.dray(
        "queue",
        "enqueue",
        "--db",
        db.url(),
        "--queue",
        queue,
        "--from-query",
        "SELECT JSON_OBJECT('n', id) FROM " + queue + "_src ORDER BY id");
  }

  private static void awaitFile(Path file, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!(Files.exists(file) && Files.size(file) > 0)) {
      assertThat(process.isAlive()).as("worker died: %s", Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("waiting for %s", file).isLessThan(deadline);
      Thread.sleep(20);
    }
    Thread.sleep(50); // let the handler finish writing the line
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void sigtermWaitsForTheRunningJobKeepsItsLeaseAndCompletesItOnce(
      TestDatabase db, @TempDir Path dir) throws Exception {
    QueueCommandTest.dray("queue", "init", "--db", db.url(), "--queue", "slow", "--done-table");
    enqueue(db, "slow", 3);
    Path started = dir.resolve("started");
    Path ran = dir.resolve("ran");
    Path log = dir.resolve("worker.log");
    // 4 s per job against a 1 s lease: only heartbeats keep the job from being taken over
    String handler =
        "exec:echo $DRAY_JOB_ID >> " + started + "; sleep 4; echo $DRAY_JOB_ID >> " + ran;
    Process worker =
        dray(
            log,
            Map.of(),
            "queue",
            "work",
            "--db",
            db.url(),
            "--queue",
            "slow",
            "--workers",
            "1",
            "--handler",
            handler,
            "--lease",
            "1s",
            "--grace-period",
            "20s");
    awaitFile(started, worker, log);
    worker.destroy(); // SIGTERM while the first job runs
    // meanwhile, another worker's keeper looks for expired leases, as it would on another host
    JobQueue queue = JobQueue.builder().connection(db.config()).queue("slow").build();
    int reclaimed = 0;
    try (QueueSession other = queue.openSession()) {
      while (worker.isAlive()) {
        reclaimed += other.reclaimExpired(100);
        Thread.sleep(100);
      }
    }
    String output = Files.readString(log);
    assertThat(reclaimed).as("the running job's lease was kept alive").isZero();
    assertThat(Files.readAllLines(ran)).as("the job ran once").hasSize(1);
    assertThat(worker.exitValue()).as(output).isZero();
    assertThat(output).contains("processed 1 jobs").contains("0 handed back");
    assertThat(db.queryLong("SELECT COUNT(*) FROM slow_done WHERE attempts = 1")).isEqualTo(1);
    assertThat(db.queryLong("SELECT COUNT(*) FROM slow WHERE state = 0 AND attempts = 0"))
        .as("the two unstarted jobs were released uncharged")
        .isEqualTo(2);
  }

  @Test
  void afterTheGracePeriodTheHandlerTreeIsKilledAndTheJobHandedBackUncharged(
      TestDatabase db, @TempDir Path dir) throws Exception {
    QueueCommandTest.dray("queue", "init", "--db", db.url(), "--queue", "stuck");
    enqueue(db, "stuck", 1);
    Path pid = dir.resolve("pid");
    Path log = dir.resolve("worker.log");
    // the handler's own child records its pid: it must not outlive the worker
    String handler = "exec:sleep 120 & echo $! > " + pid + "; wait";
    Process worker =
        dray(
            log,
            Map.of(),
            "queue",
            "work",
            "--db",
            db.url(),
            "--queue",
            "stuck",
            "--workers",
            "1",
            "--handler",
            handler,
            "--lease",
            "2s",
            "--grace-period",
            "2s");
    awaitFile(pid, worker, log);
    long sleeper = Long.parseLong(Files.readString(pid).strip());
    assertThat(alive(sleeper)).isTrue();
    long stop = System.nanoTime();
    worker.destroy();
    boolean exited = worker.waitFor(30, TimeUnit.SECONDS);
    if (!exited) {
      worker.destroyForcibly();
      ProcessHandle.of(sleeper).ifPresent(ProcessHandle::destroyForcibly);
    }
    assertThat(exited).as("worker exited after the grace period").isTrue();
    double seconds = (System.nanoTime() - stop) / 1e9;
    String output = Files.readString(log);
    assertThat(worker.exitValue()).as(output).isZero();
    assertThat(output).contains("processed 0 jobs").contains("1 handed back");
    assertThat(seconds).as(output).isBetween(1.5, 15.0);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (alive(sleeper) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Optional<ProcessHandle> left = ProcessHandle.of(sleeper).filter(ProcessHandle::isAlive);
    left.ifPresent(ProcessHandle::destroyForcibly);
    assertThat(left).as("the handler's child process was killed").isEmpty();
    assertThat(
            db.query(
                "SELECT CONCAT(state, ' ', attempts, ' ', COALESCE(lease_owner, '-')) FROM stuck"))
        .as("handed back ready, its attempt not charged")
        .containsExactly(List.of("0 0 -"));
  }

  @Test
  void aHandlerThatKillsItsWorkerChargesOnlyItsOwnJob(TestDatabase db, @TempDir Path dir)
      throws Exception {
    QueueCommandTest.dray("queue", "init", "--db", db.url(), "--queue", "killer", "--done-table");
    enqueue(db, "killer", 10);
    Path log = dir.resolve("victim.log");
    // the first job kills the worker JVM (the handler's parent) while nine more sit in its batch
    Process victim =
        dray(
            log,
            Map.of(),
            "queue",
            "work",
            "--db",
            db.url(),
            "--queue",
            "killer",
            "--workers",
            "1",
            "--batch",
            "10",
            "--handler",
            "exec:kill -9 $PPID",
            "--lease",
            "1s");
    assertThat(victim.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(victim.exitValue()).as(Files.readString(log)).isEqualTo(137);
    assertThat(db.queryLong("SELECT COUNT(*) FROM killer WHERE state = 1"))
        .as("the whole batch was claimed")
        .isEqualTo(10);
    Path survivorLog = dir.resolve("survivor.log");
    Process survivor =
        dray(
            survivorLog,
            Map.of(),
            "queue",
            "work",
            "--db",
            db.url(),
            "--queue",
            "killer",
            "--handler",
            "noop",
            "--lease",
            "1s",
            "--until-empty");
    assertThat(survivor.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(survivor.exitValue()).as(Files.readString(survivorLog)).isZero();
    assertThat(
            db.query(
                "SELECT CAST(CONCAT(attempts, ':', COUNT(*)) AS CHAR) FROM killer_done"
                    + " GROUP BY attempts ORDER BY attempts"))
        .as("the killer ran twice; the nine innocent jobs once")
        .containsExactly(List.of("1:9"), List.of("2:1"));
  }

  @Test
  void execHandlersGetNoPasswordVariables(TestDatabase db, @TempDir Path dir) throws Exception {
    String user = "dray_hq_" + Math.abs(db.schema().hashCode() % 10000);
    db.execute(
        "DROP USER IF EXISTS '" + user + "'@'%'",
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT ALL ON `" + db.schema() + "`.* TO '" + user + "'@'%'");
    try {
      QueueCommandTest.dray("queue", "init", "--db", db.url(), "--queue", "envq");
      enqueue(db, "envq", 1);
      Path env = dir.resolve("env");
      Path log = dir.resolve("worker.log");
      Process worker =
          dray(
              log,
              Map.of(
                  "QUEUE_DB_PW", PASSWORD,
                  "MYSQL_PWD", "mysql-pw-3c9a",
                  "DRAY_OTHER_URL", "jdbc:mariadb://h/db?password=url-pw-88e2",
                  "HANDLER_TOKEN", "token-for-the-handler",
                  "UNRELATED", "not-passed"),
              "queue",
              "work",
              "--db",
              TestDatabase.urlWithoutUser(db.url()),
              "--user",
              user,
              "--password-env",
              "QUEUE_DB_PW",
              "--queue",
              "envq",
              "--handler",
              "exec:env > " + env,
              "--handler-env",
              "HANDLER_TOKEN",
              "--until-empty");
      assertThat(worker.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(worker.exitValue()).as(output).isZero();
      assertThat(output).contains("processed 1 jobs");
      String handlerEnv = Files.readString(env);
      assertThat(handlerEnv)
          .doesNotContain(PASSWORD)
          .doesNotContain("QUEUE_DB_PW")
          .doesNotContain("mysql-pw-3c9a")
          .doesNotContain("url-pw-88e2")
          .doesNotContain("UNRELATED")
          .contains("HANDLER_TOKEN=token-for-the-handler")
          .contains("DRAY_QUEUE=envq")
          .contains("DRAY_JOB_ATTEMPT=1")
          .containsPattern("(?m)^PATH=");

      // passing the password variable on by name is refused
      CliRun refused =
          CliRun.withEnvironment(
              Map.of("QUEUE_DB_PW", PASSWORD),
              "queue",
              "work",
              "--db",
              TestDatabase.urlWithoutUser(db.url()),
              "--user",
              user,
              "--password-env",
              "QUEUE_DB_PW",
              "--queue",
              "envq",
              "--handler",
              "exec:true",
              "--handler-env",
              "QUEUE_DB_PW",
              "--until-empty");
      assertThat(refused.exitCode()).isEqualTo(2);
      assertThat(refused.err()).contains("--handler-env QUEUE_DB_PW").doesNotContain(PASSWORD);
    } finally {
      db.execute("DROP USER IF EXISTS '" + user + "'@'%'");
    }
  }
}
