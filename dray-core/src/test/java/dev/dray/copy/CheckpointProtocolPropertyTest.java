package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.plan.KeyCodec;
import dev.dray.plan.KeyRange;
import dev.dray.testing.MariaDbExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The checkpoint protocol of the real {@link CopyWorker} on a real server: a copy with random
 * workers, chunk sizes and checkpoint intervals runs into injected deadlocks (retried) and one
 * failure that stops the whole job at a random row while other workers are inside their chunk
 * transactions (the "crash": the job's first failure cancels and rolls back every open chunk).
 * Whatever happened, the durable checkpoint never passes a chunk whose rows did not commit and its
 * row count is exact; a resume then finishes the copy exactly.
 *
 * <p>Faults come from an AFTER INSERT trigger on the target (with the same trigger BEFORE INSERT,
 * the embedded MariaDB 11.4 failed the first chunk's INSERT ... SELECT with error 1048 on the key
 * column before the trigger body ran; 10.11 did not): it signals a deadlock (1213, which the worker
 * retries) once for each of a few chosen keys, and a permanent error for one key once; the counts
 * live in a non-transactional table so a rolled-back chunk still used its fault up.
 */
@Tag("slow")
class CheckpointProtocolPropertyTest {
  private static ConnectionConfig database;
  private static String schema;

  @BeforeContainer
  static void createSchema() throws SQLException {
    ConnectionConfig server = MariaDbExtension.server();
    schema =
        ("dray_checkpoint_protocol_" + Integer.toHexString(new Random().nextInt(1 << 20)))
            .toLowerCase(Locale.ROOT);
    execute(server, "CREATE DATABASE " + schema);
    database = server.withUrl(withDatabase(server.url(), schema));
  }

  @AfterContainer
  static void dropSchema() throws SQLException {
    if (schema != null) {
      execute(MariaDbExtension.server(), "DROP DATABASE IF EXISTS " + schema);
    }
  }

  @Property(tries = 10)
  void durableCheckpointNeverPassesUncommittedRowsAndResumeIsExact(
      @ForAll @IntRange(min = 300, max = 1500) int rows,
      @ForAll @IntRange(min = 1, max = 4) int workers,
      @ForAll @IntRange(min = 50, max = 300) int chunkRows,
      @ForAll @IntRange(min = 0, max = 3) int checkpointEvery10ms,
      // each fires once; at most 3 in one chunk stays below the worker's 5 attempts
      @ForAll @IntRange(min = 0, max = 3) int deadlockedKeys,
      @ForAll @IntRange(min = 1, max = 100) int crashAtPercent,
      @ForAll Random random)
      throws SQLException {
    execute(
        database,
        "DROP TABLE IF EXISTS src, src_copy, faults, _dray_checkpoint",
        "CREATE TABLE src (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(40) NOT NULL)",
        "INSERT INTO src SELECT seq, seq % 97, MD5(seq) FROM seq_1_to_" + rows,
        "CREATE TABLE src_copy LIKE src",
        // MyISAM: a fault used up inside a chunk that rolls back stays used up
        "CREATE TABLE faults (id BIGINT NOT NULL PRIMARY KEY, kind CHAR(1) NOT NULL,"
            + " times_left INT NOT NULL) ENGINE=MyISAM",
        "CREATE TRIGGER inject AFTER INSERT ON src_copy FOR EACH ROW BEGIN"
            + " DECLARE k CHAR(1) DEFAULT NULL;"
            + " SET k = (SELECT kind FROM faults WHERE id = NEW.id AND times_left > 0);"
            + " IF k IS NOT NULL THEN"
            + "  UPDATE faults SET times_left = times_left - 1 WHERE id = NEW.id;"
            + "  IF k = 'D' THEN SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213,"
            + "   MESSAGE_TEXT = 'injected deadlock';"
            + "  ELSE SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected crash'; END IF;"
            + " END IF; END");
    for (int i = 0; i < deadlockedKeys; i++) {
      execute(
          database,
          "INSERT IGNORE INTO faults VALUES (" + (1 + random.nextInt(rows)) + ", 'D', 1)");
    }
    long crashKey = Math.max(1, rows * (long) crashAtPercent / 100);
    execute(database, "REPLACE INTO faults VALUES (" + crashKey + ", 'C', 1)");

    DrayException crash =
        catchThrowableOfType(
            DrayException.class, () -> job(workers, chunkRows, checkpointEvery10ms).build().run());
    assertThat(crash).as("the injected failure stops the copy").isNotNull();
    assertThat(count("SELECT times_left FROM faults WHERE id = " + crashKey))
        .as("the copy failed at the injected crash: %s", crash.getMessage())
        .isZero();
    assertDurableCheckpointCoversOnlyCommittedRows();

    CopyResult resumed = job(workers, chunkRows, checkpointEvery10ms).resume(true).build().run();
    assertThat(resumed.rowsCopied()).isPositive();
    assertThat(count("SELECT COUNT(*) FROM src_copy")).isEqualTo(rows);
    assertThat(
            count(
                "SELECT COUNT(*) FROM src s JOIN src_copy c USING (id)"
                    + " WHERE s.a = c.a AND s.b = c.b"))
        .as("every row copied once and unchanged")
        .isEqualTo(rows);
    assertThat(count("SELECT rows_copied FROM _dray_checkpoint WHERE job_id = 'prop'"))
        .as("the finished checkpoint counts every row once")
        .isEqualTo(rows);
  }

  private static CopyJob.Builder job(int workers, int chunkRows, int checkpointEvery10ms) {
    return CopyJob.builder()
        .source(database)
        .sourceTable(new dev.dray.db.TableName(schema, "src"))
        .targetTable(new dev.dray.db.TableName(schema, "src_copy"))
        .jobId("prop")
        .workers(workers)
        .chunkRows(chunkRows)
        .checkpointInterval(Duration.ofMillis(10L * checkpointEvery10ms));
  }

  /**
   * The stored frontier's last range ends at key U: every source row below U is in the target, and
   * the stored row count is exactly the number of source rows below U.
   */
  private static void assertDurableCheckpointCoversOnlyCommittedRows() throws SQLException {
    try (Connection c = Connections.open(database);
        Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT frontier_sequence, last_range, rows_copied FROM _dray_checkpoint"
                    + " WHERE job_id = 'prop'")) {
      if (!rs.next()) {
        return; // failed before the checkpoint row was written
      }
      String lastRange = rs.getString(2);
      long storedRows = rs.getLong(3);
      if (lastRange == null) {
        assertThat(storedRows).as("no chunk in the frontier, no rows counted").isZero();
        return;
      }
      KeyRange range = KeyCodec.decodeRange(lastRange);
      String below =
          range.upper() == null ? "" : " WHERE id < " + ((Number) range.upper().get(0)).longValue();
      assertThat(count("SELECT COUNT(*) FROM src_copy" + below))
          .as("target rows below the durable checkpoint (%s)", below)
          .isEqualTo(count("SELECT COUNT(*) FROM src" + below));
      assertThat(storedRows)
          .as("the durable checkpoint's row count")
          .isEqualTo(count("SELECT COUNT(*) FROM src" + below));
    }
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = Connections.open(database);
        Statement statement = c.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(ConnectionConfig config, String... sql) throws SQLException {
    try (Connection c = Connections.open(config);
        Statement statement = c.createStatement()) {
      for (String s : sql) {
        statement.execute(s);
      }
    }
  }

  private static String withDatabase(String url, String database) {
    return url.replaceFirst("^(jdbc:[a-z]+://[^/?]+)/?[^?]*", "$1/" + database);
  }
}
