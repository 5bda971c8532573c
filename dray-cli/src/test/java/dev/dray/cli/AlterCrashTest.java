package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.Connections;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.CountingWriters;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills real {@code dray alter} processes with SIGKILL under live writers: as soon as the new table
 * exists, twice mid-copy, once while caught up with the cut-over postponed by the flag file, once
 * during a cut-over attempt (its LOCK TABLES waits behind an open transaction); each time the table
 * stays usable (no writer statement fails) and {@code --resume} continues. The last resume cuts
 * over: the new table holds every acknowledged write and nothing else.
 */
@Tag("slow")
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class AlterCrashTest {
  private static final int ROWS = 20_000;
  private static final String SPEC =
      "CHANGE COLUMN note label VARCHAR(80) NULL, DROP COLUMN gone,"
          + " ADD COLUMN extra INT NOT NULL DEFAULT 7";

  @Test
  void survivesKillNineMidCopyWhilePostponedAndDuringTheCutOver(@TempDir Path dir)
      throws Exception {
    TestDatabase db = BinlogServer.newDatabase("alter_crash");
    db.execute(
        "CREATE TABLE src (id BIGINT NOT NULL PRIMARY KEY, counter BIGINT NOT NULL,"
            + " note VARCHAR(40) NULL, gone INT NULL)",
        "INSERT INTO src SELECT seq, 0, CONCAT('n', seq), seq FROM seq_1_to_" + ROWS);
    String jobId = "alter " + db.schema() + ".src";
    Path flag = Files.createFile(dir.resolve("postpone"));
    CountingWriters writers = new CountingWriters(db, "src", ROWS);
    writers.start(3);
    Process last;
    try {
      Process early = start(db, dir, false, flag, 4_000);
      awaitTable(db, "_src_new", early, dir);
      kill(early); // before the first checkpoint: the resume starts afresh
      for (long threshold : new long[] {10, 45}) {
        Process process = start(db, dir, true, flag, 4_000);
        awaitCheckpoint(db, jobId, threshold, process, dir);
        kill(process);
      }
      Process caughtUp = start(db, dir, true, flag, 0);
      awaitLog(caughtUp, dir, "the cut-over waits while");
      kill(caughtUp);
      assertThat(tableExists(db, "_src_new")).isTrue();

      Process cuttingOver = start(db, dir, true, flag, 0);
      awaitLog(cuttingOver, dir, "the cut-over waits while");
      try (Connection blocker = Connections.open(db.config());
          Statement statement = blocker.createStatement()) {
        blocker.setAutoCommit(false);
        statement.executeQuery("SELECT COUNT(*) FROM src WHERE id = 1").close(); // holds T's MDL
        Files.delete(flag);
        awaitLockTablesWaiting(db, cuttingOver, dir);
        kill(cuttingOver);
        blocker.rollback();
      }
      assertThat(tableExists(db, "_src_new")).isTrue(); // the attempt left T as it was
      assertThat(tableExists(db, "_src_old")).isFalse();

      long before = writers.writes.get();
      writers.awaitWrites(before + 100); // the table takes writes after every kill
      last = start(db, dir, true, null, 0);
      assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
      writers.awaitWrites(writers.writes.get() + 200); // and into the new table
    } finally {
      writers.stop();
    }
    assertThat(last.exitValue()).as(log(dir)).isZero();
    assertThat(Files.readString(dir.resolve("out.log")))
        .contains("altered " + db.schema() + ".src");
    writers.check(db, "src");
    assertThat(db.queryLong("SELECT COUNT(*) FROM src WHERE id <= " + ROWS + " AND label IS NULL"))
        .isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM src WHERE extra <> 7")).isZero();
    assertThat(tableExists(db, "_src_new")).isFalse();
    assertThat(tableExists(db, "_src_old")).isTrue();
    assertThat(db.queryLong("SELECT COUNT(*) FROM _dray_checkpoint WHERE job_id = '" + jobId + "'"))
        .isZero();
    System.out.printf(
        "alter crash test: %d acknowledged writes, longest write %d ms%n",
        writers.writes.get(), writers.longestMillis.get());
  }

  private static void kill(Process process) throws InterruptedException {
    assertThat(process.isAlive()).isTrue();
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  private static boolean tableExists(TestDatabase db, String table) {
    return db.queryLong(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME = '"
                + table
                + "'")
        > 0;
  }

  private static Process start(
      TestDatabase db, Path dir, boolean resume, Path flag, long maxRowsPerSecond)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DrayCli.class.getName());
    command.addAll(
        List.of(
            "alter",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".src",
            "--alter",
            SPEC,
            "--chunk-size",
            "250",
            "--workers",
            "3",
            "--progress-interval",
            "0"));
    if (flag != null) {
      command.add("--postpone-cut-over-flag-file");
      command.add(flag.toString());
    }
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

  private static void awaitLog(Process process, Path dir, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (Files.readString(dir.resolve("err.log")).contains(text)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("never logged '" + text + "'; " + log(dir));
  }

  private static void awaitLockTablesWaiting(TestDatabase db, Process process, Path dir)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (db.queryLong(
              "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                  + " WHERE INFO LIKE 'LOCK TABLES%' AND STATE LIKE '%metadata lock%'")
          > 0) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the cut-over never waited for LOCK TABLES; " + log(dir));
  }

  private static void awaitTable(TestDatabase db, String table, Process process, Path dir)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (tableExists(db, table)) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(table + " never appeared; " + log(dir));
  }

  private static void awaitCheckpoint(
      TestDatabase db, String jobId, long sequence, Process process, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (tableExists(db, "_dray_checkpoint")
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
