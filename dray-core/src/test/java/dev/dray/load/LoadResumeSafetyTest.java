package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What --resume does when the source changed, when there is nothing to resume, and what a load
 * without --resume says about the unfinished load it discards.
 */
@ExtendWith(MariaDbExtension.class)
class LoadResumeSafetyTest {
  private static final int ROWS = 3000;

  @TempDir Path dir;

  /** A table of three tasks (chunks of 1,000 rows) and a file holding its load, 1 task done. */
  private Path interruptedLoad(TestDatabase db, String table) throws Exception {
    db.execute(
        "CREATE TABLE "
            + table
            + " (id INT NOT NULL PRIMARY KEY, a INT, d DECIMAL(10,2), v VARCHAR(20))",
        "INSERT INTO "
            + table
            + " SELECT seq, seq * 1000, seq / 4, CONCAT('v', seq) FROM seq_1_to_"
            + ROWS,
        "ANALYZE TABLE " + table);
    Path file = dir.resolve(table + ".duckdb");
    try (StagedLoad staged = StagedLoad.start(db, table, file, 1000)) {
      assertThat(staged.tasks()).hasSize(3);
      staged.runTasks(staged.tasks().subList(0, 1));
    }
    return file;
  }

  private static LoadJob load(TestDatabase db, String table, Path file, boolean resume) {
    return LoadJob.builder()
        .source(db.config())
        .table(db.table(table))
        .target(file)
        .chunkRows(1000)
        .resume(resume)
        .build();
  }

  private void assertRefusedAndStillResumable(
      TestDatabase db, String table, Path file, String... named) {
    assertThatThrownBy(() -> load(db, table, file, true).run())
        .isInstanceOfSatisfying(
            DrayException.class, e -> assertThat(e.code().exitCode()).isEqualTo(1))
        .hasMessageContaining("cannot resume the load of " + db.schema() + "." + table)
        .hasMessageContaining("run without --resume to start over")
        .hasMessageContainingAll(named);
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM _dray_load_done")).isEqualTo(1);
  }

  /** Without --resume the changed table loads from scratch, exactly. */
  private static void assertLoadsAfresh(TestDatabase db, String table, Path file) {
    LoadResult result = load(db, table, file, false).run();
    assertThat(result.rows()).isEqualTo(ROWS);
    assertThat(result.warnings())
        .anyMatch(w -> w.startsWith("discarding an unfinished load of " + db.schema() + "."));
    assertThat(DuckDbFiles.tables(file)).containsExactly(table);
    assertThat(DuckDbFiles.queryLong(file, "SELECT sum(a) FROM " + table))
        .isEqualTo(1000L * ROWS * (ROWS + 1) / 2);
    assertThat(
            DuckDbFiles.queryLong(
                file,
                "SELECT count(*) FROM " + table + " WHERE v <> 'v' || id OR d <> round(id / 4, 2)"))
        .isZero();
  }

  @Test
  void refusesAColumnWhoseTypeChanged(TestDatabase db) throws Exception {
    Path file = interruptedLoad(db, "widened");
    db.execute("ALTER TABLE widened MODIFY a BIGINT");

    assertRefusedAndStillResumable(db, "widened", file, "column a changed from int", "to bigint");
    assertLoadsAfresh(db, "widened", file);
  }

  @Test
  void refusesReorderedColumns(TestDatabase db) throws Exception {
    Path file = interruptedLoad(db, "reordered");
    db.execute("ALTER TABLE reordered MODIFY a INT AFTER v");

    assertRefusedAndStillResumable(db, "reordered", file, "column 2 is now d, it was a");
    assertLoadsAfresh(db, "reordered", file);
  }

  @Test
  void refusesADecimalMovedBehindAVarchar(TestDatabase db) throws Exception {
    Path file = interruptedLoad(db, "moved");
    db.execute("ALTER TABLE moved MODIFY d DECIMAL(10,2) AFTER v");

    assertRefusedAndStillResumable(db, "moved", file, "column 3 is now v, it was d");
    assertLoadsAfresh(db, "moved", file);
  }

  @Test
  void refusesAnAddedColumn(TestDatabase db) throws Exception {
    Path file = interruptedLoad(db, "grown");
    db.execute("ALTER TABLE grown ADD COLUMN extra INT");

    assertRefusedAndStillResumable(db, "grown", file, "column extra was added");
  }

  @Test
  void resumeWithNothingToResumeSaysSoAndLoadsFromScratch(TestDatabase db) {
    db.execute(
        "CREATE TABLE fresh (id INT NOT NULL PRIMARY KEY, a INT)",
        "INSERT INTO fresh SELECT seq, seq FROM seq_1_to_100");
    Path file = dir.resolve("fresh.duckdb");

    LoadResult result = load(db, "fresh", file, true).run();

    assertThat(result.warnings())
        .containsExactly(
            "nothing to resume in " + file + ": loading " + db.schema() + ".fresh from scratch");
    assertThat(result.rows()).isEqualTo(100);
    assertThat(result.mixesPointsInTime()).isFalse();
  }

  @Test
  void loadWithoutResumeSaysWhatItDiscards(TestDatabase db) throws Exception {
    Path file = interruptedLoad(db, "discarded");

    LoadResult result = load(db, "discarded", file, false).run();

    assertThat(result.warnings())
        .containsExactly(
            "discarding an unfinished load of "
                + db.schema()
                + ".discarded in "
                + file
                + " (1 of 3 tasks done); use --resume to continue it");
    assertThat(result.tasksSkipped()).isZero();
    assertThat(result.rows()).isEqualTo(ROWS);
  }

  @Test
  void aResumedLoadSaysItMixesTwoPointsInTime(TestDatabase db) throws Exception {
    Path file = interruptedLoad(db, "mixed");
    db.execute("UPDATE mixed SET a = -1");

    LoadResult result = load(db, "mixed", file, true).run();

    assertThat(result.mixesPointsInTime()).isTrue();
    assertThat(result.warnings())
        .singleElement()
        .asString()
        .startsWith("resuming: 1 of 3 tasks were loaded by the interrupted run from its snapshot")
        .contains("run without --resume for one point in time");
    // the task done before the change shows the old values, the two run now the new ones
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM mixed WHERE a = -1"))
        .isEqualTo(ROWS - DuckDbFiles.queryLong(file, "SELECT count(*) FROM mixed WHERE a > 0"))
        .isBetween(1L, ROWS - 1L);
  }

  @Test
  void neverDropsAUsersTableNamedLikeStaging(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE mine (id INT NOT NULL PRIMARY KEY, a INT)",
        "INSERT INTO mine SELECT seq, seq FROM seq_1_to_100");
    Path file = dir.resolve("mine.duckdb");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = duck.createStatement()) {
      statement.execute("CREATE TABLE _dray_staging_mine (note VARCHAR)");
      statement.execute("INSERT INTO _dray_staging_mine VALUES ('my own data')");
    }

    for (boolean resume : List.of(false, true)) {
      assertThatThrownBy(() -> load(db, "mine", file, resume).run())
          .isInstanceOfSatisfying(
              DrayException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE))
          .hasMessageContaining("has a table _dray_staging_mine that no dray load made")
          .hasMessageContaining("--target-table");
      assertThat(DuckDbFiles.tables(file)).containsExactly("_dray_staging_mine");
      assertThat(DuckDbFiles.query(file, "SELECT note FROM _dray_staging_mine"))
          .containsExactly(List.of("my own data"));
    }

    LoadResult elsewhere =
        LoadJob.builder()
            .source(db.config())
            .table(db.table("mine"))
            .target(file)
            .targetTable("mine2")
            .build()
            .run();
    assertThat(elsewhere.rows()).isEqualTo(100);
    assertThat(DuckDbFiles.tables(file)).containsExactly("_dray_staging_mine", "mine2");
  }
}
