package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.run.Cancellation;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a copy does with the target it finds: a non-empty target is refused unless overwritten or
 * resumed (issue 16, item 8), a view is named as such (item 9), and two runs of one target table
 * never overlap (item 4).
 */
@ExtendWith(MariaDbExtension.class)
class CopyTargetTest {
  private static final int ROWS = 1500;

  private static void createTables(TestDatabase db, String name) {
    db.execute(
        "DROP TABLE IF EXISTS " + name,
        "CREATE TABLE "
            + name
            + " (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NULL)",
        "INSERT INTO " + name + " SELECT seq, seq % 100, MD5(seq) FROM seq_1_to_" + ROWS,
        "DROP TABLE IF EXISTS " + name + "_copy",
        "CREATE TABLE " + name + "_copy LIKE " + name);
  }

  private static CopyJob.Builder job(TestDatabase db, String name) {
    return CopyJob.builder()
        .source(db.config())
        .sourceTable(db.table(name))
        .targetTable(db.table(name + "_copy"))
        .chunkRows(200)
        .workers(2);
  }

  private static VerifyResult verify(TestDatabase db, String name) {
    return VerifyJob.builder()
        .source(db.config())
        .sourceTable(db.table(name))
        .targetTable(db.table(name + "_copy"))
        .build()
        .run();
  }

  @Test
  void refusesANonEmptyTargetAndOverwritesItWhenTold(TestDatabase db) {
    createTables(db, "ne");
    db.execute(
        "INSERT INTO ne_copy VALUES (7, -1, 'the target differs'), (999999, 0, 'not in source')");
    CopyJob.Builder job = job(db, "ne");

    DrayException e = catchThrowableOfType(DrayException.class, () -> job.build().run());
    assertThat(e.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
    assertThat(e.getMessage())
        .startsWith("target table " + db.schema() + ".ne_copy already holds rows")
        .contains("TRUNCATE " + db.schema() + ".ne_copy")
        .contains("--overwrite-target");
    assertThat(catchThrowableOfType(DrayException.class, () -> job.build().plan()).getMessage())
        .isEqualTo(e.getMessage());
    assertThat(db.queryLong("SELECT COUNT(*) FROM ne_copy")).isEqualTo(2);

    CopyPlan plan = job.overwriteTarget(true).build().plan();
    assertThat(plan.targetState()).contains("overwriting");
    CopyResult result = job.overwriteTarget(true).build().run();
    assertThat(result.rowsCopied()).isEqualTo(ROWS);
    assertThat(verify(db, "ne").equal()).isTrue();
    assertThat(db.queryLong("SELECT COUNT(*) FROM ne_copy")).isEqualTo(ROWS);
  }

  @Test
  void aFinishedCopyIsNotRunIntoItsFullTargetAgainSilently(TestDatabase db) {
    createTables(db, "again");
    assertThat(job(db, "again").build().run().rowsCopied()).isEqualTo(ROWS);
    db.execute("UPDATE again_copy SET b = 'changed' WHERE id = 3");

    DrayException e =
        catchThrowableOfType(DrayException.class, () -> job(db, "again").build().run());
    assertThat(e.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
    assertThat(e.getMessage()).contains("already holds rows").contains("finished earlier");
    // resuming a finished copy has nothing to do; overwriting it makes the target equal again
    assertThat(job(db, "again").resume(true).build().run().chunks()).isZero();
    assertThat(job(db, "again").overwriteTarget(true).build().run().rowsCopied()).isEqualTo(ROWS);
    assertThat(verify(db, "again").equal()).isTrue();
  }

  @Test
  void namesAViewAsSuchForCopyAndVerify(TestDatabase db) {
    createTables(db, "base");
    db.execute(
        "CREATE OR REPLACE VIEW base_view AS SELECT id, a, b FROM base WHERE a < 50",
        "DROP TABLE IF EXISTS base_view_copy",
        "CREATE TABLE base_view_copy LIKE base");
    DrayException copy =
        catchThrowableOfType(DrayException.class, () -> job(db, "base_view").build().run());
    assertThat(copy.code()).isEqualTo(ErrorCode.UNSUPPORTED_SCHEMA);
    assertThat(copy.getMessage())
        .startsWith("source " + db.schema() + ".base_view is a view, not a table")
        .contains("SHOW CREATE VIEW");
    DrayException verify = catchThrowableOfType(DrayException.class, () -> verify(db, "base_view"));
    assertThat(verify.code()).isEqualTo(ErrorCode.UNSUPPORTED_SCHEMA);
    assertThat(verify.getMessage())
        .startsWith("source " + db.schema() + ".base_view is a view, not a table");
    assertThat(db.queryLong("SELECT COUNT(*) FROM base_view_copy")).isZero();
  }

  /**
   * Issue 16 item 4: a second run of the same target table while the first is alive refuses with
   * one line naming the job and the session holding the lock; so does verify. The first finishes
   * normally, and a run after it is not blocked.
   */
  @Test
  void aSecondRunOfTheSameTargetRefusesWhileTheFirstIsAlive(TestDatabase db, @TempDir Path dir)
      throws Exception {
    createTables(db, "twice");
    Path pause = Files.createFile(dir.resolve("pause"));
    AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
    CompletableFuture<CopyResult> first =
        CopyThrottleTest.start(
            job(db, "twice").pauseFile(pause).build(), new Cancellation(), progress);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (progress.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    String lock = "dray:copy:" + db.schema() + ".twice_copy";
    long holder = db.queryLong("SELECT IS_USED_LOCK('" + lock + "')");
    assertThat(holder).isPositive();

    for (CopyJob.Builder second :
        java.util.List.of(job(db, "twice").resume(true), job(db, "twice").jobId("other-id"))) {
      DrayException e = catchThrowableOfType(DrayException.class, () -> second.build().run());
      assertThat(e.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
      assertThat(e.exitCode()).isEqualTo(1);
      assertThat(e.getMessage())
          .startsWith(
              "copy " + second.build().settings().jobId() + " cannot start: connection " + holder)
          .contains("holds its lock " + lock)
          .contains("--resume")
          .doesNotContain("\n");
    }
    DrayException verifying = catchThrowableOfType(DrayException.class, () -> verify(db, "twice"));
    assertThat(verifying.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
    assertThat(verifying.getMessage())
        .startsWith("verify of " + db.schema() + ".twice against " + db.schema() + ".twice_copy")
        .contains("connection " + holder);
    assertThat(job(db, "twice").resume(true).build().plan().lockHolder())
        .startsWith("connection " + holder);

    Files.delete(pause);
    assertThat(first.get(60, TimeUnit.SECONDS).rowsCopied()).isEqualTo(ROWS);
    assertThat(db.queryLong("SELECT IS_FREE_LOCK('" + lock + "')")).isEqualTo(1);
    assertThat(verify(db, "twice").equal()).isTrue();
  }
}
