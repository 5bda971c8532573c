package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 at several points, then --resume: no gaps, no duplicates, the same task boundaries. */
@ExtendWith(MariaDbExtension.class)
class LoadResumeTest {
  private static final int ROWS = 6000;

  @TempDir Path dir;

  @Test
  void resumesAfterKillsAtSeveralPoints(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE crash (id INT NOT NULL, k VARCHAR(12) NOT NULL, v BIGINT, PRIMARY KEY (id, k))"
            + " PARTITION BY RANGE (id) (PARTITION lo VALUES LESS THAN (2000), PARTITION hi VALUES LESS THAN MAXVALUE)",
        "INSERT INTO crash SELECT seq, CONCAT('k', seq % 7), seq * 3 FROM seq_1_to_" + ROWS,
        "ANALYZE TABLE crash");
    Path file = dir.resolve("crash.duckdb");
    String url = db.config().url();
    List<String> args =
        List.of(
            url,
            db.user() == null ? "root" : db.user(),
            db.schema() + ".crash",
            file.toString(),
            "300",
            "2",
            "150");

    // 1: killed after planning, before or while the first tasks run
    Processes.Child first = Processes.start(LoadCrashMain.class, args, dir.resolve("run1.log"));
    first.await("planned", 60);
    first.kill();
    List<List<Object>> plan = storedPlan(file);
    assertThat(plan).hasSizeGreaterThan(10);

    // 2: killed after a few tasks were committed (others mid-task)
    Processes.Child second = Processes.start(LoadCrashMain.class, args, dir.resolve("run2.log"));
    String planned = second.await("planned", 60);
    int doneBefore = Integer.parseInt(planned.split(" ")[2]);
    second.await("finished", 60);
    second.await("finished", 60);
    second.await("finished", 60);
    second.kill();
    assertThat(storedPlan(file)).isEqualTo(plan);
    long doneAfterSecond = DuckDbFiles.queryLong(file, "SELECT count(*) FROM _dray_load_done");
    assertThat(doneAfterSecond).isGreaterThanOrEqualTo(doneBefore + 3);
    assertNoDuplicates(file);

    // 3: killed again, later
    Processes.Child third = Processes.start(LoadCrashMain.class, args, dir.resolve("run3.log"));
    assertThat(Integer.parseInt(third.await("planned", 60).split(" ")[2]))
        .isEqualTo((int) doneAfterSecond);
    for (int i = 0; i < 4; i++) {
      third.await("finished", 60);
    }
    third.kill();
    assertThat(storedPlan(file)).isEqualTo(plan);
    assertNoDuplicates(file);

    // 4: resumed to the end in a last process
    Processes.Child last = Processes.start(LoadCrashMain.class, args, dir.resolve("run4.log"));
    String planned4 = last.await("planned", 60);
    assertThat(Integer.parseInt(planned4.split(" ")[2])).isGreaterThan((int) doneAfterSecond);
    assertThat(last.await("done", 120)).isEqualTo("done " + ROWS);
    last.process().waitFor();

    assertThat(DuckDbFiles.tables(file)).containsExactly("crash");
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM crash")).isEqualTo(ROWS);
    assertThat(
            DuckDbFiles.queryLong(file, "SELECT count(*) FROM (SELECT DISTINCT id, k FROM crash)"))
        .isEqualTo(ROWS);
    assertThat(DuckDbFiles.queryLong(file, "SELECT sum(v) FROM crash"))
        .isEqualTo(3L * ROWS * (ROWS + 1) / 2);
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM crash WHERE k <> 'k' || (id % 7)"))
        .isZero();
  }

  private static List<List<Object>> storedPlan(Path file) {
    return DuckDbFiles.query(file, "SELECT * FROM _dray_load_tasks ORDER BY seq");
  }

  /** Staged rows belong to done tasks only, each once. */
  private static void assertNoDuplicates(Path file) {
    long staged = DuckDbFiles.queryLong(file, "SELECT count(*) FROM _dray_staging_crash");
    long distinct =
        DuckDbFiles.queryLong(
            file, "SELECT count(*) FROM (SELECT DISTINCT id, k FROM _dray_staging_crash)");
    long doneRows =
        DuckDbFiles.queryLong(file, "SELECT coalesce(sum(rows), 0) FROM _dray_load_done");
    assertThat(staged).isEqualTo(distinct).isEqualTo(doneRows);
  }
}
