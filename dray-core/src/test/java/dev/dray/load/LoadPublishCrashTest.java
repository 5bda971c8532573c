package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 again and again inside the publish window (from the moment every task is done until the
 * process ends) of a table with TIME and other converted types: after every kill the file opens and
 * holds either the published table, exact, or a resumable load; {@code --resume} then finishes it
 * exactly.
 */
@Tag("slow")
@ExtendWith(MariaDbExtension.class)
class LoadPublishCrashTest {
  private static final int ROWS = 40_000;
  private static final int KILLS = 12;

  @TempDir Path dir;

  @Test
  void everyKillDuringPublishLeavesAFileThatOpensAndResumesExactly(TestDatabase db)
      throws Exception {
    db.execute(
        "CREATE TABLE pub (id INT NOT NULL PRIMARY KEY, tm TIME(6), d DECIMAL(12,2),"
            + " dtm DATETIME(6), dt DATE, vc VARCHAR(40))"
            + " PARTITION BY RANGE (id) (PARTITION p1 VALUES LESS THAN (20000),"
            + " PARTITION p2 VALUES LESS THAN MAXVALUE)",
        "INSERT INTO pub SELECT seq, SEC_TO_TIME((CAST(seq AS SIGNED) - 20000) * 41.5), seq / 8,"
            + " TIMESTAMPADD(MICROSECOND, seq * 7654321, '2021-06-01'),"
            + " DATE_ADD('2001-01-01', INTERVAL seq DAY), CONCAT('row ', seq) FROM seq_1_to_"
            + ROWS,
        "ANALYZE TABLE pub");
    Path reference = dir.resolve("reference.duckdb");
    LoadJob.builder().source(db.config()).table(db.table("pub")).target(reference).build().run();
    List<List<Object>> expected = contents(reference);
    assertThat(expected).hasSize(ROWS);

    Path file = dir.resolve("pub.duckdb");
    List<String> args =
        List.of(
            db.config().url(),
            db.user() == null ? "root" : db.user(),
            db.schema() + ".pub",
            file.toString(),
            "15000",
            "2",
            "0");
    int published = 0;
    int resumable = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Processes.Child child =
          Processes.start(LoadCrashMain.class, args, dir.resolve("run" + kill + ".log"));
      child.await("publishing", 120);
      Thread.sleep((kill * 7L) % 50);
      child.kill();

      List<String> tables = DuckDbFiles.tables(file); // fails if the file cannot be opened
      if (tables.contains("_dray_load_job")) {
        resumable++;
        assertThat(tables).contains("_dray_staging_pub");
        assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM _dray_staging_pub"))
            .isEqualTo(ROWS);
        if (tables.contains("pub")) { // published by an earlier run, untouched until this one's
          assertThat(contents(file)).isEqualTo(expected);
        }
      } else {
        published++;
        assertThat(tables).containsExactly("pub");
        assertThat(contents(file)).isEqualTo(expected);
      }
    }
    System.out.println(
        KILLS
            + " kills in the publish window: "
            + published
            + " published, "
            + resumable
            + " resumable");

    Processes.Child last = Processes.start(LoadCrashMain.class, args, dir.resolve("last.log"));
    assertThat(last.await("done", 120)).isEqualTo("done " + ROWS);
    last.process().waitFor();
    assertThat(DuckDbFiles.tables(file)).containsExactly("pub");
    assertThat(contents(file)).isEqualTo(expected);
  }

  private static List<List<Object>> contents(Path file) {
    return DuckDbFiles.query(file, "SELECT COLUMNS(*)::VARCHAR FROM pub ORDER BY id");
  }
}
