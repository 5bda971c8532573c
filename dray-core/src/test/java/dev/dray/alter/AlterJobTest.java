package dev.dray.alter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.run.Cancellation;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.CountingWriters;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link AlterJob} on a server with a binary log: a rename, a dropped and an added column under
 * live writers through the copy and the cut-over (every acknowledged write is in the new table, no
 * writer statement fails, the longest write is measured), and alters the rows cannot satisfy.
 */
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class AlterJobTest {
  private static final int ROWS = 20_000;
  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = BinlogServer.newDatabase("alter");
  }

  @Test
  @Tag("slow")
  void renamesDropsAndAddsColumnsWhileWritersWriteThroughTheCutOver() throws Exception {
    db.execute(
        "CREATE TABLE live (id BIGINT NOT NULL PRIMARY KEY, counter BIGINT NOT NULL,"
            + " note VARCHAR(40) NULL, gone INT NULL)",
        "INSERT INTO live SELECT seq, 0, CONCAT('n', seq), seq FROM seq_1_to_" + ROWS);
    CountingWriters writers = new CountingWriters(db, "live", ROWS);
    writers.start(3);
    AlterResult result;
    try {
      writers.awaitWrites(200);
      result =
          AlterJob.builder()
              .source(db.config())
              .table(db.table("live"))
              .alter(
                  "CHANGE COLUMN note label VARCHAR(80) NULL, DROP COLUMN gone,"
                      + " ADD COLUMN extra INT NOT NULL DEFAULT 7")
              .workers(2)
              .chunkRows(500)
              .build()
              .run(new Cancellation(), AlterListener.NONE);
      long after = writers.writes.get();
      writers.awaitWrites(after + 200); // the writers go on into the new table
    } finally {
      writers.stop();
    }
    writers.check(db, "live");
    assertThat(result.cutOverAttempts()).isGreaterThanOrEqualTo(1);
    assertThat(result.oldTable()).isEqualTo(db.schema() + "._live_old");
    assertThat(db.queryLong("SELECT COUNT(*) FROM live WHERE label <> CONCAT('n', id)")).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM live WHERE id <= " + ROWS + " AND label IS NULL"))
        .isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM live WHERE extra <> 7")).isZero();
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '"
                    + db.schema()
                    + "' AND TABLE_NAME = 'live' AND COLUMN_NAME IN ('gone', 'note')"))
        .isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM _live_old")).isPositive();
    System.out.printf(
        "alter under writers: %d writes, cut-over blocked writes %d ms, longest write %d ms%n",
        writers.writes.get(), result.writesBlockedMillis(), writers.longestMillis.get());
  }

  @Test
  void aUniqueKeyOverDuplicatesFailsNamingTheValueAndLeavesTheTable() {
    db.execute(
        "CREATE TABLE people (id INT NOT NULL PRIMARY KEY, email VARCHAR(64) NULL)",
        "INSERT INTO people SELECT seq, CONCAT('p', seq, '@x') FROM seq_1_to_3000",
        "UPDATE people SET email = 'twice@x' WHERE id IN (1234, 2345)");
    String before = showCreate("people");
    assertThatThrownBy(() -> alter("people", "ADD UNIQUE KEY uq_email (email)"))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("twice@x")
        .hasMessageContaining("uq_email")
        .hasMessageContaining("is unchanged");
    assertThat(showCreate("people")).isEqualTo(before);
    assertThat(db.queryLong("SELECT COUNT(*) FROM people")).isEqualTo(3000);
    assertThat(tableExists("_people_new")).isFalse();
  }

  @Test
  void aNarrowerTypeFailsNamingTheColumnAndLeavesTheTable() {
    db.execute(
        "CREATE TABLE words (id INT NOT NULL PRIMARY KEY, word VARCHAR(20) NOT NULL)",
        "INSERT INTO words SELECT seq, 'abc' FROM seq_1_to_2000",
        "UPDATE words SET word = 'much too long' WHERE id = 1500");
    String before = showCreate("words");
    assertThatThrownBy(() -> alter("words", "MODIFY word VARCHAR(3) NOT NULL"))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("'word'")
        .hasMessageContaining("words is unchanged");
    assertThat(showCreate("words")).isEqualTo(before);
    assertThat(tableExists("_words_new")).isFalse();
  }

  @Test
  void aCutOverAttemptBlockedByALongTransactionIsRolledBackAndRetried() throws Exception {
    db.execute(
        "CREATE TABLE held (id INT NOT NULL PRIMARY KEY, v INT NULL)",
        "INSERT INTO held SELECT seq, seq FROM seq_1_to_500");
    List<String> failures = new CopyOnWriteArrayList<>();
    CompletableFuture<AlterResult> alter;
    try (Connection blocker = db.connect();
        Statement statement = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      statement.executeQuery("SELECT COUNT(*) FROM held").close(); // holds the table's MDL
      alter =
          CompletableFuture.supplyAsync(
              () ->
                  AlterJob.builder()
                      .source(db.config())
                      .table(db.table("held"))
                      .alter("ADD COLUMN w INT NULL")
                      .cutOverLockTimeout(Duration.ofSeconds(1))
                      .build()
                      .run(
                          new Cancellation(),
                          new AlterListener() {
                            @Override
                            public void cutOverFailed(
                                int attempt, String reason, Duration retryIn) {
                              failures.add(reason);
                            }
                          }));
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (failures.isEmpty() && !alter.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(db.queryLong("SELECT COUNT(*) FROM held")).isEqualTo(500); // T is there
      assertThat(tableExists("_held_old")).isFalse();
      blocker.rollback();
    }
    AlterResult result = alter.get();
    assertThat(failures).isNotEmpty();
    assertThat(failures.get(0)).contains("LOCK TABLES");
    assertThat(result.cutOverAttempts()).isEqualTo(failures.size() + 1);
    assertThat(db.queryLong("SELECT SUM(v) FROM held WHERE w IS NULL")).isEqualTo(125250);
  }

  @Test
  void dropsTheOldTableWhenAsked() {
    db.execute(
        "CREATE TABLE small (id INT NOT NULL PRIMARY KEY, v INT NULL)",
        "INSERT INTO small SELECT seq, seq FROM seq_1_to_100");
    AlterResult result =
        AlterJob.builder()
            .source(db.config())
            .table(db.table("small"))
            .alter("ADD INDEX by_v (v)")
            .dropOldTable(true)
            .build()
            .run(new Cancellation(), AlterListener.NONE);
    assertThat(result.oldTable()).isNull();
    assertThat(tableExists("_small_old")).isFalse();
    assertThat(db.queryLong("SELECT SUM(v) FROM small")).isEqualTo(5050);
    assertThat(showCreate("small")).contains("by_v");
  }

  /** The state a kill right after the cut-over's RENAME leaves: T is new, the job's rows remain. */
  @Test
  void aResumeAfterTheRenameFinishesTheAlter() {
    db.execute(
        "CREATE TABLE swapped (id INT NOT NULL PRIMARY KEY, v INT NULL)",
        "INSERT INTO swapped SELECT seq, seq FROM seq_1_to_100");
    alter("swapped", "ADD COLUMN w INT NULL"); // leaves _swapped_old and the position table
    db.execute(
        "INSERT INTO _dray_binlog_position (job_id, binlog_file, binlog_pos, changes_applied)"
            + " VALUES ('alter "
            + db.schema()
            + ".swapped', 'dray-bin.000001', 4, 0)");
    AlterResult result =
        AlterJob.builder()
            .source(db.config())
            .table(db.table("swapped"))
            .alter("ADD COLUMN w INT NULL")
            .resume(true)
            .dropOldTable(true)
            .build()
            .run(new Cancellation(), AlterListener.NONE);
    assertThat(result.copy()).isNull();
    assertThat(tableExists("_swapped_old")).isFalse();
    assertThat(showCreate("swapped")).contains("`w`");
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM _dray_binlog_position WHERE job_id = 'alter "
                    + db.schema()
                    + ".swapped'"))
        .isZero();
  }

  private static AlterResult alter(String table, String spec) {
    return AlterJob.builder()
        .source(db.config())
        .table(db.table(table))
        .alter(spec)
        .chunkRows(250)
        .build()
        .run(new Cancellation(), AlterListener.NONE);
  }

  static String showCreate(String table) {
    return String.valueOf(db.query("SHOW CREATE TABLE " + table).get(0).get(1));
  }

  static boolean tableExists(String table) {
    return db.queryLong(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                + db.schema()
                + "' AND TABLE_NAME = '"
                + table
                + "'")
        > 0;
  }
}
