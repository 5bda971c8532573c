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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A copy never reports success with rows missing or changed (issue 17, item 3): a target that could
 * drop or change rows is refused before anything is written, and a target that changes under a
 * running copy fails the chunk that meets the first such row, naming its key range.
 */
@ExtendWith(MariaDbExtension.class)
class CopySafetyTest {
  private static final int ROWS = 2000;

  /** Source rows with repeated emails, NULLs, characters latin1 lacks and negative numbers. */
  private static void createSource(TestDatabase db, String name) {
    db.execute(
        "DROP TABLE IF EXISTS " + name,
        "CREATE TABLE "
            + name
            + " (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(40) NOT NULL, n INT NOT NULL,"
            + " note VARCHAR(40) CHARACTER SET utf8mb4 NULL, KEY (email))",
        "INSERT INTO "
            + name
            + " SELECT seq, CONCAT('u', seq % 997, '@x'), CAST(seq AS SIGNED) - 100,"
            + " IF(seq % 7 = 0, NULL, IF(seq % 4 = 0, CONCAT('日本 ', seq), CONCAT('n', seq)))"
            + " FROM seq_1_to_"
            + ROWS,
        "DROP TABLE IF EXISTS " + name + "_copy",
        "CREATE TABLE " + name + "_copy LIKE " + name);
  }

  private static CopyJob.Builder job(TestDatabase db, String name) {
    return CopyJob.builder()
        .source(db.config())
        .sourceTable(db.table(name))
        .targetTable(db.table(name + "_copy"))
        .chunkRows(250)
        .workers(2);
  }

  /** The four targets of issue 17 that dropped or changed rows while the copy exited 0. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unique|ALTER TABLE %s ADD UNIQUE KEY uq_email (email)|target unique key uq_email (email)"
            + " is not implied by any unique key of the source",
        "check|ALTER TABLE %s ADD CONSTRAINT positive_n CHECK (n > 0)|target CHECK constraint"
            + " positive_n",
        "latin1|ALTER TABLE %s MODIFY note VARCHAR(40) CHARACTER SET latin1 NULL|target column"
            + " note has character set latin1, which cannot hold every utf8mb4 character",
        "notnull|ALTER TABLE %s MODIFY note VARCHAR(40) NOT NULL|target column note is NOT NULL"
            + " but the source column allows NULL"
      })
  void refusesATargetThatWouldDropOrChangeRowsBeforeWritingAnything(
      String name, String alter, String expected, TestDatabase db) {
    createSource(db, "pre_" + name);
    db.execute(String.format(alter, "pre_" + name + "_copy"));
    CopyJob job = job(db, "pre_" + name).build();

    DrayException planned = catchThrowableOfType(DrayException.class, job::plan);
    assertThat(planned).as("dry run").isNotNull();
    assertThat(planned.getMessage()).contains(expected);

    DrayException e = catchThrowableOfType(DrayException.class, job::run);
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_SCHEMA);
    assertThat(e.exitCode()).isEqualTo(1);
    assertThat(e.getMessage())
        .startsWith("cannot copy " + db.schema() + ".pre_" + name)
        .contains(expected)
        .contains("nothing was written")
        .doesNotContain("\n");
    assertThat(db.queryLong("SELECT COUNT(*) FROM pre_" + name + "_copy")).isZero();
  }

  /**
   * The same four changes made to the target after the copy checked it (it waits behind a pause
   * file): the strict, counted writes fail the first chunk that meets such a row, naming its key
   * range and why, and every chunk the checkpoint covers is complete in the target.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unique|SERVER_SIDE|ALTER TABLE %s ADD UNIQUE KEY uq_email (email)|Duplicate entry",
        "unique|STREAMING|ALTER TABLE %s ADD UNIQUE KEY uq_email (email)|Duplicate entry",
        "check|SERVER_SIDE|ALTER TABLE %s ADD CONSTRAINT positive_n CHECK (n > 0)|CHECK"
            + " constraint of the target",
        "latin1|SERVER_SIDE|ALTER TABLE %s MODIFY note VARCHAR(40) CHARACTER SET latin1 NULL|cannot"
            + " hold the source value unchanged",
        "latin1|STREAMING|ALTER TABLE %s MODIFY note VARCHAR(40) CHARACTER SET latin1 NULL|cannot"
            + " hold the source value unchanged",
        "notnull|SERVER_SIDE|ALTER TABLE %s MODIFY note VARCHAR(40) NOT NULL|NOT NULL and the"
            + " source row has NULL",
        "notnull|STREAMING|ALTER TABLE %s MODIFY note VARCHAR(40) NOT NULL|NOT NULL and the source"
            + " row has NULL"
      })
  void aTargetChangedUnderTheCopyFailsTheChunkInsteadOfLosingRows(
      String name, CopyMode mode, String alter, String expected, TestDatabase db, @TempDir Path dir)
      throws Exception {
    String table = "run_" + name + "_" + mode.name().toLowerCase();
    createSource(db, table);
    Path pause = Files.createFile(dir.resolve("pause"));
    AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
    CompletableFuture<CopyResult> running =
        CopyThrottleTest.start(
            job(db, table).mode(mode).pauseFile(pause).build(), new Cancellation(), progress);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while ((progress.get() == null || progress.get().get().throttleReason() == null)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    db.execute(String.format(alter, table + "_copy"));
    Files.delete(pause);

    DrayException e = failure(running);
    assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
    assertThat(e.exitCode()).isEqualTo(1);
    assertThat(e.getMessage())
        .contains(db.schema() + "." + table + " keys [")
        .contains("the target refused a row")
        .contains(expected)
        .contains("--resume")
        .doesNotContain("\n");
    assertThat(db.queryLong("SELECT COUNT(*) FROM " + table + "_copy")).isLessThan(ROWS);
    assertCheckpointCovered(db, table);
  }

  @Test
  void acceptsTargetsWhoseKeysAndChecksTheSourceImplies(TestDatabase db) {
    createSource(db, "fine");
    db.execute(
        "DROP TABLE fine_copy",
        // the source's key plus more columns; an AUTO_INCREMENT the target fills; the same CHECK
        // as the source; a wider character set; NULL allowed where the source has NOT NULL
        "ALTER TABLE fine ADD CONSTRAINT big_n CHECK (n > -1000)",
        "CREATE TABLE fine_copy (seq BIGINT NOT NULL AUTO_INCREMENT UNIQUE, id BIGINT NOT NULL,"
            + " email VARCHAR(60) CHARACTER SET utf8mb4 NULL, n INT NOT NULL,"
            + " note VARCHAR(40) CHARACTER SET utf8mb4 NULL, PRIMARY KEY (id), UNIQUE KEY (id, n),"
            + " CONSTRAINT big_n CHECK (n > -1000))");
    CopyResult result = job(db, "fine").build().run();
    assertThat(result.rowsCopied()).isEqualTo(ROWS);
    assertThat(
            VerifyJob.builder()
                .source(db.config())
                .sourceTable(db.table("fine"))
                .targetTable(db.table("fine_copy"))
                .build()
                .run()
                .equal())
        .isTrue();
  }

  private static DrayException failure(CompletableFuture<CopyResult> running) throws Exception {
    try {
      CopyResult result = running.get(60, TimeUnit.SECONDS);
      throw new AssertionError("the copy succeeded: " + result);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DrayException.class);
      return (DrayException) e.getCause();
    }
  }

  /** Every source row below the checkpoint's upper bound is in the target, unchanged. */
  static void assertCheckpointCovered(TestDatabase db, String table) {
    var rows =
        db.query(
            "SELECT last_range FROM _dray_checkpoint WHERE target_table = '"
                + db.schema()
                + "."
                + table
                + "_copy'");
    assertThat(rows).hasSize(1);
    String range = (String) rows.get(0).get(0);
    long upper =
        range == null
            ? Long.MIN_VALUE
            : ((Number) dev.dray.plan.KeyCodec.decodeRange(range).upper().get(0)).longValue();
    long source = db.queryLong("SELECT COUNT(*) FROM " + table + " WHERE id < " + upper);
    long same =
        db.queryLong(
            "SELECT COUNT(*) FROM "
                + table
                + " s JOIN "
                + table
                + "_copy t USING (id) WHERE s.id < "
                + upper
                + " AND s.email <=> t.email AND s.n <=> t.n AND BINARY s.note <=> BINARY t.note");
    assertThat(same).as("unchanged rows below the checkpoint (id < %d)", upper).isEqualTo(source);
  }
}
