package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class CopyJobTest {
  private static void createSource(TestDatabase db, String table, int rows) {
    db.execute(
        "DROP TABLE IF EXISTS " + table,
        "CREATE TABLE "
            + table
            + " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NULL, d DATETIME(3) NULL, bin VARBINARY(16) NULL)",
        "INSERT INTO "
            + table
            + " (id, a, b, d, bin) SELECT seq, seq % 100, IF(seq % 7 = 0, NULL, MD5(seq)),"
            + " IF(seq % 5 = 0, NULL, '2026-01-01 00:00:00.123' + INTERVAL seq SECOND), UNHEX(LEFT(MD5(seq), 8)) FROM seq_1_to_"
            + rows);
  }

  private VerifyResult verify(TestDatabase db, String source, String target) {
    return VerifyJob.builder()
        .source(db.config())
        .sourceTable(db.table(source))
        .targetTable(db.table(target))
        .chunkRows(300)
        .build()
        .run();
  }

  @Test
  void copiesOnTheSameServerWithInsertSelect(TestDatabase db) {
    createSource(db, "t1", 5000);
    db.execute("DROP TABLE IF EXISTS t1_copy", "CREATE TABLE t1_copy LIKE t1");
    CopyResult result =
        CopyJob.builder()
            .source(db.config())
            .sourceTable(db.table("t1"))
            .targetTable(db.table("t1_copy"))
            .workers(4)
            .chunkRows(333)
            .build()
            .run();
    assertThat(result.mode()).isEqualTo(CopyMode.SERVER_SIDE);
    assertThat(result.rowsCopied()).isEqualTo(5000);
    assertThat(result.chunks()).isEqualTo(16);
    assertThat(result.checkpointSequence()).isEqualTo(15);
    assertThat(db.queryLong("SELECT COUNT(*) FROM t1_copy")).isEqualTo(5000);
    assertThat(
            db.queryLong(
                "SELECT frontier_sequence FROM _dray_checkpoint WHERE job_id = '"
                    + result.jobId()
                    + "'"))
        .isEqualTo(15);
    assertThat(
            db.queryLong(
                "SELECT rows_copied FROM _dray_checkpoint WHERE job_id = '" + result.jobId() + "'"))
        .isEqualTo(5000);
    assertThat(
            db.queryLong(
                "SELECT finished FROM _dray_checkpoint WHERE job_id = '" + result.jobId() + "'"))
        .isEqualTo(1);
    assertThat(verify(db, "t1", "t1_copy").equal()).isTrue();
  }

  @Test
  void streamsAcrossServersIntoAReorderedTargetWithExtraColumns(TestDatabase db) {
    createSource(db, "t2", 3000);
    db.execute(
        "DROP TABLE IF EXISTS t2_copy",
        "CREATE TABLE t2_copy (extra INT NULL, bin VARBINARY(32) NULL, d DATETIME(6) NULL, b VARCHAR(100) NULL, a BIGINT NOT NULL,"
            + " id BIGINT NOT NULL PRIMARY KEY, note VARCHAR(10) NOT NULL DEFAULT 'x')");
    CopyResult result =
        CopyJob.builder()
            .source(db.config())
            .sourceTable(db.table("t2"))
            .targetTable(db.table("t2_copy"))
            .mode(CopyMode.STREAMING)
            .workers(3)
            .chunkRows(250)
            .build()
            .run();
    assertThat(result.mode()).isEqualTo(CopyMode.STREAMING);
    assertThat(result.rowsCopied()).isEqualTo(3000);
    assertThat(db.queryLong("SELECT COUNT(*) FROM t2_copy WHERE note = 'x' AND extra IS NULL"))
        .isEqualTo(3000);
    assertThat(verify(db, "t2", "t2_copy").equal()).isTrue();
  }

  @Test
  void copiesCompositeNonIntegerKeysWithAdaptiveChunks(TestDatabase db) {
    db.execute(
        "DROP TABLE IF EXISTS t3",
        "CREATE TABLE t3 (region VARCHAR(10) NOT NULL, code VARBINARY(8) NOT NULL, created DATE NOT NULL, v DECIMAL(10,2) NULL, PRIMARY KEY (region, code, created))",
        "INSERT INTO t3 SELECT ELT(1 + seq % 4, 'north', 'south', 'east', 'west'), UNHEX(LPAD(HEX(seq DIV 3), 6, '0')), '2026-01-01' + INTERVAL seq % 3 DAY, seq / 7 FROM seq_1_to_4000",
        "DROP TABLE IF EXISTS t3_copy",
        "CREATE TABLE t3_copy LIKE t3");
    for (CopyMode mode : new CopyMode[] {CopyMode.SERVER_SIDE, CopyMode.STREAMING}) {
      db.execute("TRUNCATE t3_copy", "DELETE FROM _dray_checkpoint WHERE job_id = 'composite'");
      CopyResult result =
          CopyJob.builder()
              .source(db.config())
              .sourceTable(db.table("t3"))
              .targetTable(db.table("t3_copy"))
              .jobId("composite")
              .mode(mode)
              .chunkRows(100)
              .chunkTime(Duration.ofMillis(50))
              .build()
              .run();
      assertThat(result.rowsCopied()).as(mode.name()).isEqualTo(4000);
      assertThat(verify(db, "t3", "t3_copy").equal()).as(mode.name()).isTrue();
    }
  }

  @Test
  void refusesAnUnfinishedCheckpointWithoutResumeAndResumesWithIt(TestDatabase db) {
    createSource(db, "t4", 2000);
    db.execute("DROP TABLE IF EXISTS t4_copy", "CREATE TABLE t4_copy LIKE t4");
    CopyJob.Builder builder =
        CopyJob.builder()
            .source(db.config())
            .sourceTable(db.table("t4"))
            .targetTable(db.table("t4_copy"))
            .chunkRows(100);
    builder.build().run();
    // pretend a crash after chunk 4: rows above the checkpoint partly copied
    db.execute(
        "UPDATE _dray_checkpoint SET finished = 0, frontier_sequence = 4, rows_copied = 500,"
            + " last_range = '{\"lower\":[[\"long\",\"401\"]],\"upper\":[[\"long\",\"501\"]]}'"
            + " WHERE job_id = 'dray_copyjobtest_' OR job_id LIKE '%t4>%'",
        "DELETE FROM t4_copy WHERE id > 501 AND id % 3 = 0");
    assertThatThrownBy(() -> builder.build().run())
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("--resume")
        .extracting(e -> ((DrayException) e).code())
        .isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
    CopyResult resumed = builder.resume(true).build().run();
    assertThat(resumed.resumedFromSequence()).isEqualTo(4);
    // the chunks above the checkpoint had partly committed: each is emptied and copied again, so
    // this run wrote every row from key 501 on, and the checkpoint counts every row exactly once
    assertThat(resumed.rowsCopied())
        .isEqualTo(db.queryLong("SELECT COUNT(*) FROM t4 WHERE id >= 501"));
    assertThat(
            db.queryLong(
                "SELECT rows_copied FROM _dray_checkpoint WHERE job_id = '"
                    + resumed.jobId()
                    + "'"))
        .isEqualTo(2000);
    assertThat(verify(db, "t4", "t4_copy").equal()).isTrue();
  }

  @Test
  void verifyNamesMissingExtraAndDifferentRows(TestDatabase db) {
    createSource(db, "t5", 2000);
    db.execute(
        "DROP TABLE IF EXISTS t5_copy",
        "CREATE TABLE t5_copy LIKE t5",
        "INSERT INTO t5_copy SELECT * FROM t5",
        "DELETE FROM t5_copy WHERE id = 17",
        "UPDATE t5_copy SET b = NULL WHERE id = 1200",
        "UPDATE t5_copy SET b = '' WHERE id = 14",
        "INSERT INTO t5_copy (id, a) VALUES (999999, 1)");
    VerifyResult result = verify(db, "t5", "t5_copy");
    assertThat(result.equal()).isFalse();
    assertThat(result.differingKeys())
        .containsExactlyInAnyOrder(
            new KeyDifference("17", KeyDifference.Kind.MISSING_IN_TARGET),
            new KeyDifference("1200", KeyDifference.Kind.DIFFERENT),
            new KeyDifference("14", KeyDifference.Kind.DIFFERENT),
            new KeyDifference("999999", KeyDifference.Kind.EXTRA_IN_TARGET));
    assertThat(result.mismatchingRanges()).hasSize(3);
    assertThat(result.sourceRows()).isEqualTo(2000);
    assertThat(result.targetRows()).isEqualTo(2000);
  }
}
