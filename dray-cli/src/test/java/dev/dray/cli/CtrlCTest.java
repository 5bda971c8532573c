package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends a real SIGINT (kill -INT) to a real {@code dray load}, {@code copy} and {@code verify}
 * process: each says how far it got and the command that continues it, and exits 130; the printed
 * command then finishes the job.
 */
@ExtendWith(MariaDbExtension.class)
@org.junit.jupiter.api.Tag("slow")
class CtrlCTest {
  private static final int ROWS = 6_000;

  @TempDir Path dir;

  @BeforeAll
  static void createTables(TestDatabase db) {
    db.execute(
        "CREATE TABLE src (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NULL)",
        "INSERT INTO src SELECT seq, seq % 1000, MD5(seq) FROM seq_1_to_" + ROWS,
        "CREATE TABLE dst LIKE src");
  }

  @Test
  void copySaysHowFarItGotAndHowToResumeAndExits130(TestDatabase db) throws Exception {
    Process copy =
        start(
            Map.of("NO_PW", ""),
            "copy",
            "--source",
            db.url(),
            "--password-env",
            "NO_PW",
            "--table",
            db.schema() + ".src",
            "--target-table",
            db.schema() + ".dst",
            "--chunk-size",
            "100",
            "--workers",
            "2",
            "--max-rows-per-second",
            "2000",
            "--progress-interval",
            "0");
    awaitRows(db, "dst", 1000, copy);
    String err = interrupt(copy);

    assertThat(err).contains("dray: interrupted: ").contains("rows copied").contains("resumable");
    String resume = commandLine(err);
    assertThat(resume).contains("--password-env NO_PW").endsWith("--resume");
    assertThat(db.queryLong("SELECT COUNT(*) FROM dst")).isLessThan(ROWS);

    CliRun resumed =
        CliRun.withEnvironment(
            Map.of("NO_PW", ""), words(resume.replace("--max-rows-per-second 1000", "")));
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM dst")).isEqualTo(ROWS);
  }

  @Test
  void loadAndVerifySayWhereTheyStandAndExit130(TestDatabase db) throws Exception {
    Path duck = dir.resolve("src.duckdb");
    try (Connection lock = db.connect();
        Statement statement = lock.createStatement()) {
      // the load waits for its snapshot's brief read lock, verify for its reads of the table
      statement.execute("LOCK TABLES src WRITE");
      Process load =
          start(
              Map.of(),
              "load",
              "--source",
              db.url(),
              "--table",
              db.schema() + ".src",
              "--target",
              "duckdb:" + duck);
      awaitOutput(load, "plan: ");
      String loadErr = interrupt(load);
      assertThat(loadErr)
          .contains("dray: interrupted: 0 of 1 tasks done")
          .contains("the load is resumable");
      String resume = commandLine(loadErr);
      assertThat(resume).endsWith("--resume");

      // the killed load's sessions may still wait in the server: count only new sessions
      long sessionsBefore = sessions(db);
      Process verify =
          start(
              Map.of(),
              "verify",
              "--source",
              db.url(),
              "--table",
              db.schema() + ".src",
              "--target-table",
              db.schema() + ".src");
      awaitConnected(db, verify, sessionsBefore, dir.resolve("err.log"));
      String verifyErr = interrupt(verify);
      assertThat(verifyErr).contains("nothing was changed");
      assertThat(commandLine(verifyErr)).startsWith("dray verify ").doesNotContain("--resume");

      statement.execute("UNLOCK TABLES");
      CliRun resumed = CliRun.of(words(resume));
      assertThat(resumed.exitCode()).as(resumed.err()).isZero();
      assertThat(resumed.out()).contains("loaded 6,000 rows");
    }
  }

  private Process start(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DrayCli.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("out.log").toFile())
            .redirectError(dir.resolve("err.log").toFile());
    builder.environment().putAll(environment);
    return builder.start();
  }

  /** Sends SIGINT, waits for the exit, checks it is 130 and returns stderr. */
  private String interrupt(Process process) throws Exception {
    assertThat(process.isAlive()).as(Files.readString(dir.resolve("err.log"))).isTrue();
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String err = Files.readString(dir.resolve("err.log"));
    assertThat(process.exitValue()).as(err).isEqualTo(130);
    return err;
  }

  private void awaitOutput(Process process, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (Files.readString(dir.resolve("err.log")).contains(text)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + text + "' in " + Files.readString(dir.resolve("err.log")));
  }

  /** Waits until the process has connected (its Ctrl-C handler is set up before it connects). */
  private static void awaitConnected(TestDatabase db, Process process, long before, Path err)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (sessions(db) > before) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the process never connected; stderr: " + Files.readString(err));
  }

  private static long sessions(TestDatabase db) {
    return db.queryLong(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()");
  }

  private static void awaitRows(TestDatabase db, String table, long rows, Process process)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (db.queryLong("SELECT COUNT(*) FROM " + table) >= rows) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the copy never reached " + rows + " rows");
  }

  /** The printed command line (the line after the message, starting with "dray: "). */
  private static String commandLine(String err) {
    return err.lines()
        .filter(line -> line.startsWith("dray:   dray "))
        .map(line -> line.substring("dray:   ".length()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no command line in: " + err));
  }

  /** The words of a shell command line that quotes with single quotes; without "dray". */
  static String[] words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
        any = true;
      } else if (c == ' ' && !quoted) {
        if (any) {
          words.add(word.toString());
        }
        word.setLength(0);
        any = false;
      } else {
        word.append(c);
        any = true;
      }
    }
    if (any) {
      words.add(word.toString());
    }
    return words.subList(1, words.size()).toArray(String[]::new);
  }
}
