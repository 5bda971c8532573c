package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash right after each of the target's transactions commits, before DuckDB checkpoints: the
 * file must open (DuckDB replays its write-ahead log) and hold what was committed. The crash is
 * made exact by switching DuckDB's checkpoints off, so closing leaves the log as a kill would.
 */
@ExtendWith(MariaDbExtension.class)
class DuckDbTargetReplayTest {
  private static final int ROWS = 20_000;

  @TempDir Path dir;

  @BeforeAll
  static void createTable(TestDatabase db) {
    db.execute(
        "CREATE TABLE replay (id INT NOT NULL PRIMARY KEY, tm TIME(6), d DECIMAL(12,2),"
            + " dtm DATETIME(6), dt DATE, vc VARCHAR(40), u BIGINT UNSIGNED, j JSON)"
            + " PARTITION BY RANGE (id) (PARTITION p1 VALUES LESS THAN (7000),"
            + " PARTITION p2 VALUES LESS THAN (14000), PARTITION p3 VALUES LESS THAN MAXVALUE)",
        "INSERT INTO replay SELECT seq, SEC_TO_TIME((CAST(seq AS SIGNED) - 10000) * 97.5),"
            + " seq / 7, TIMESTAMPADD(MICROSECOND, seq * 1234567, '2020-01-01'),"
            + " DATE_ADD('1999-01-01', INTERVAL seq DAY), CONCAT('value number ', seq),"
            + " 18446744073709551615 - seq, JSON_OBJECT('k', seq) FROM seq_1_to_"
            + ROWS,
        "UPDATE replay SET tm = NULL, vc = NULL WHERE id % 11 = 0",
        "ANALYZE TABLE replay");
  }

  @Test
  void opensAndHoldsTheTableAfterACrashRightAfterPublish(TestDatabase db) throws Exception {
    Path reference = loadNormally(db);
    Path file = dir.resolve("crash.duckdb");
    try (StagedLoad staged = StagedLoad.start(db, "replay", file, 5_000)) {
      staged.runTasks(staged.tasks());
      staged.target().publish(List.of(staged.table()));
      staged.crashOnClose();
    }

    assertThat(DuckDbFiles.tables(file)).containsExactly("replay");
    assertThat(contents(file)).hasSize(ROWS).isEqualTo(contents(reference));
  }

  @Test
  void resumesExactlyAfterACrashMidLoad(TestDatabase db) throws Exception {
    Path reference = loadNormally(db);
    Path file = dir.resolve("crash.duckdb");
    try (StagedLoad staged = StagedLoad.start(db, "replay", file, 5_000)) {
      staged.runTasks(staged.tasks().subList(0, 1));
      staged.crashOnClose();
    }
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM _dray_load_done")).isEqualTo(1);

    LoadResult result =
        LoadJob.builder()
            .source(db.config())
            .table(db.table("replay"))
            .target(file)
            .resume(true)
            .build()
            .run();

    assertThat(result.tasksSkipped()).isEqualTo(1);
    assertThat(DuckDbFiles.tables(file)).containsExactly("replay");
    assertThat(contents(file)).isEqualTo(contents(reference));
  }

  @Test
  void opensCleanAfterACrashRightAfterAbandon(TestDatabase db) throws Exception {
    Path file = dir.resolve("crash.duckdb");
    try (StagedLoad staged = StagedLoad.start(db, "replay", file, 5_000)) {
      staged.runTasks(staged.tasks().subList(0, 2));
      staged.crashOnClose();
      staged.target().abandon(List.of(staged.table()), new RuntimeException("the failure"));
    }

    assertThat(DuckDbFiles.tables(file)).isEmpty();
  }

  private Path loadNormally(TestDatabase db) {
    Path file = dir.resolve("reference.duckdb");
    LoadJob.builder().source(db.config()).table(db.table("replay")).target(file).build().run();
    return file;
  }

  /** Every row as text, in key order. */
  private static List<List<Object>> contents(Path file) {
    return DuckDbFiles.query(file, "SELECT COLUMNS(*)::VARCHAR FROM replay ORDER BY id");
  }
}
