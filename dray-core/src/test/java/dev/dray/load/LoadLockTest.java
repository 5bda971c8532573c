package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.run.JobLock;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One load per DuckDB file: a second run refuses while the first holds the file's job lock. */
@ExtendWith(MariaDbExtension.class)
class LoadLockTest {
  @TempDir Path dir;

  @Test
  void aSecondLoadIntoTheSameFileRefusesWhileTheFirstRunsAndTakesOverAfter(TestDatabase db) {
    db.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))",
        "INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_500");
    Path file = dir.resolve("locked.duckdb");
    LoadJob.Builder load = LoadJob.builder().source(db.config()).table(db.table("t")).target(file);
    load.build().run();
    db.execute("INSERT INTO t SELECT seq, 'new' FROM seq_501_to_600");

    // the lock a running load holds, taken the same way (here by this test, as another run would)
    try (JobLock running =
        JobLock.acquire(
            db.config(), LoadJob.lockKey(file), "load into " + file, "wait", null, null)) {
      assertThatThrownBy(() -> load.build().run())
          .isInstanceOf(DrayException.class)
          .satisfies(
              e -> assertThat(((DrayException) e).code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE))
          .hasMessageContaining("load into " + file)
          .hasMessageContaining("holds its lock");
      // nothing changed: the file still holds the first load's 500 rows
      assertThat(DuckDbFiles.query(file, "SELECT count(*) FROM t").get(0).get(0).toString())
          .isEqualTo("500");
    }

    // the holder is gone: the next run takes over
    LoadResult result = load.build().run();
    assertThat(result.rows()).isEqualTo(600);
  }
}
