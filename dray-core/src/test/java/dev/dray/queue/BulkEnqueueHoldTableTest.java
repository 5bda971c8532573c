package dev.dray.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialects;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** The hold table's bulk fill and its parallel movers. */
@ExtendWith(MariaDbExtension.class)
class BulkEnqueueHoldTableTest {
  private static final String USERS = "SELECT JSON_OBJECT('user', id) AS payload FROM users";

  private static void users(TestDatabase db, int count) {
    db.execute(
        "DROP TABLE IF EXISTS users",
        "CREATE TABLE users (id INT PRIMARY KEY)",
        "INSERT INTO users SELECT seq FROM seq_1_to_" + count);
  }

  private static long holdTablesLeft(TestDatabase db, String queue) {
    return db.queryLong(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
            + " AND table_name LIKE '"
            + queue
            + "_hold%'");
  }

  /** Pairs of jobs whose queue order differs from their user order (0: queued in query order). */
  private static long outOfOrderPairs(TestDatabase db, String queue) {
    return db.queryLong(
        "SELECT COUNT(*) FROM (SELECT id, JSON_VALUE(payload, '$.user') + 0 AS u,"
            + " LAG(JSON_VALUE(payload, '$.user') + 0) OVER (ORDER BY id) AS prev FROM "
            + queue
            + ") t WHERE u < prev");
  }

  private static long autoincLockMode(TestDatabase db) {
    return db.queryLong("SELECT @@innodb_autoinc_lock_mode");
  }

  private static String sessionChecks(Connection c) throws SQLException {
    try (Statement statement = c.createStatement();
        var rs = statement.executeQuery("SELECT @@unique_checks, @@foreign_key_checks")) {
      rs.next();
      return rs.getLong(1) + "," + rs.getLong(2);
    }
  }

  @Test
  void holdFillIsABulkInsertThatRestoresTheSessionChecks(TestDatabase db) throws Exception {
    try (Connection c = db.connect();
        Statement statement = c.createStatement()) {
      c.setAutoCommit(false);
      statement.execute(
          "CREATE TABLE empty_a (id INT PRIMARY KEY, v INT NOT NULL, UNIQUE KEY (v))");
      statement.execute("SET SESSION unique_checks = 1, foreign_key_checks = 1");
      assertThat(
              Dialects.detect(c)
                  .insertIntoEmptyTable(
                      c, "INSERT INTO empty_a SELECT seq, seq FROM seq_1_to_5000"))
          .isEqualTo(5000);
      assertThat(sessionChecks(c)).isEqualTo("1,1");
      assertThat(db.queryLong("SELECT COUNT(*) FROM empty_a")).isEqualTo(5000);

      // a failing insert is rolled back and the previous values (here a mix) come back
      statement.execute(
          "CREATE TABLE empty_b (id INT PRIMARY KEY, v INT NOT NULL, CONSTRAINT small CHECK (v < 4000))");
      statement.execute("SET SESSION unique_checks = 0, foreign_key_checks = 1");
      assertThatThrownBy(
              () ->
                  Dialects.detect(c)
                      .insertIntoEmptyTable(
                          c, "INSERT INTO empty_b SELECT seq, seq FROM seq_1_to_5000"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("small");
      assertThat(sessionChecks(c)).isEqualTo("0,1");
      assertThat(db.queryLong("SELECT COUNT(*) FROM empty_b")).isZero();
    }
  }

  @Test
  void parallelMoversSplitTheHoldTableAndMoveEveryJobOnce(TestDatabase db) {
    users(db, 60_000);
    JobQueue.init(db.config(), "parallel", false);
    BulkEnqueueResult result =
        BulkEnqueue.builder()
            .shard(db.config())
            .queue("parallel")
            .query(USERS + " ORDER BY id")
            .viaHoldTable(true)
            .chunkSize(1000)
            .movers(3)
            .forceParallelMovers(true)
            .build()
            .run();
    assertThat(result.submitted()).isEqualTo(60_000);
    assertThat(result.inserted()).isEqualTo(60_000);
    assertThat(
            db.query(
                "SELECT COUNT(*), COUNT(DISTINCT payload),"
                    + " MIN(JSON_VALUE(payload, '$.user') + 0), MAX(JSON_VALUE(payload, '$.user') + 0)"
                    + " FROM parallel"))
        .containsExactly(List.of(60_000L, 60_000L, 1.0, 60_000.0));
    // three movers ran at once: their parts interleave in the queue
    assertThat(outOfOrderPairs(db, "parallel")).isPositive();
    assertThat(holdTablesLeft(db, "parallel")).isZero();
  }

  @Test
  void firstMoverFailureStopsTheOthersAndSaysHowManyWereEnqueued(TestDatabase db) {
    users(db, 40_000);
    JobQueue.init(db.config(), "failing", false);
    // one row of the query is refused by a CHECK constraint: INSERT IGNORE turns that into a
    // warning and skips the row, which the mover that meets it must not accept. (A BEFORE INSERT
    // trigger that reads the payload, as this test used before, made MariaDB 11.4 skip every other
    // row of INSERT ... SELECT as NULL, silently, until moves checked their warnings.)
    db.execute(
        "ALTER TABLE failing ADD CONSTRAINT user_20001_refused"
            + " CHECK (JSON_VALUE(payload, '$.user') <> '20001')");
    Throwable thrown =
        catchThrowable(
            () ->
                BulkEnqueue.builder()
                    .shard(db.config())
                    .queue("failing")
                    .query(USERS + " ORDER BY id")
                    .viaHoldTable(true)
                    .chunkSize(500)
                    .movers(2)
                    .forceParallelMovers(true)
                    .build()
                    .run());
    assertThat(thrown)
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("user_20001_refused")
        .hasMessageContaining("would skip rows")
        .hasMessageContaining("jobs were enqueued before the failure");
    assertThat(((DrayException) thrown).code())
        .as(thrown.getMessage())
        .isEqualTo(ErrorCode.TASK_FAILED);
    Matcher m =
        Pattern.compile("\\((\\d+) of 40000 jobs were enqueued").matcher(thrown.getMessage());
    assertThat(m.find()).as(thrown.getMessage()).isTrue();
    long reported = Long.parseLong(m.group(1));
    long queued = db.queryLong("SELECT COUNT(*) FROM failing");
    assertThat(reported).isEqualTo(queued);
    // the refused job is not there, and the movers stopped early (the hold table's order is the
    // server's: MariaDB 11.4 ignores an ORDER BY inside the derived table, so which mover meets
    // the bad row first is not fixed)
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM failing WHERE JSON_VALUE(payload, '$.user') = '20001'"))
        .isZero();
    assertThat(queued).isLessThan(40_000);
    assertThat(thrown.getMessage())
        .contains("run the same enqueue again to finish it exactly once");
    assertThat(holdTablesLeft(db, "failing")).as("kept for the re-run").isEqualTo(1);
    assertThat(db.queryLong("SELECT SUM(inserted) FROM failing_enqueues")).isEqualTo(queued);

    // the cause is fixed and the same enqueue runs again: it moves only what is missing
    db.execute("ALTER TABLE failing DROP CONSTRAINT user_20001_refused");
    BulkEnqueueResult resumed =
        BulkEnqueue.builder()
            .shard(db.config())
            .queue("failing")
            .query(USERS + " ORDER BY id")
            .viaHoldTable(true)
            .chunkSize(500)
            .movers(3)
            .forceParallelMovers(true)
            .build()
            .run();
    assertThat(resumed.earlier()).isEqualTo(queued);
    assertThat(resumed.inserted()).isEqualTo(40_000);
    assertThat(
            db.query("SELECT COUNT(*), COUNT(DISTINCT JSON_VALUE(payload, '$.user')) FROM failing"))
        .containsExactly(List.of(40_000L, 40_000L));
    assertThat(holdTablesLeft(db, "failing")).isZero();
  }

  @Test
  void holdTablesOfOtherInterruptedEnqueuesAreNamedAndDroppedOnlyWhenAsked(TestDatabase db) {
    users(db, 3_000);
    JobQueue.init(db.config(), "orphans", false);
    // an interrupted enqueue (its mover failed; its process is gone) ...
    db.execute(
        "ALTER TABLE orphans ADD CONSTRAINT user_2000_refused"
            + " CHECK (JSON_VALUE(payload, '$.user') <> '2000')");
    BulkEnqueue interrupted =
        BulkEnqueue.builder()
            .shard(db.config())
            .queue("orphans")
            .query(USERS + " ORDER BY id")
            .viaHoldTable(true)
            .chunkSize(500)
            .movers(1)
            .build();
    assertThat(catchThrowable(interrupted::run)).hasMessageContaining("user_2000_refused");
    db.execute("ALTER TABLE orphans DROP CONSTRAINT user_2000_refused");
    // ... and a hold table of an older dray, which has no record
    db.execute("CREATE TABLE orphans_hold_abcd (hold_id BIGINT PRIMARY KEY)");
    assertThat(holdTablesLeft(db, "orphans")).isEqualTo(2);

    Logger logger = (Logger) LoggerFactory.getLogger(EnqueueProgress.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      String other = "SELECT JSON_OBJECT('other', id) AS payload FROM users WHERE id <= 10";
      BulkEnqueue.Builder another =
          BulkEnqueue.builder().shard(db.config()).queue("orphans").query(other).viaHoldTable(true);
      assertThat(another.build().run().inserted()).isEqualTo(10);
      assertThat(holdTablesLeft(db, "orphans")).as("only named").isEqualTo(2);
      assertThat(appender.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(
              m ->
                  assertThat(m)
                      .contains("bulk enqueue " + interrupted.enqueueId())
                      .contains("was interrupted with 1500 of 3000 jobs enqueued")
                      .contains("run that enqueue again")
                      .contains("--drop-unfinished"))
          .anySatisfy(m -> assertThat(m).contains("orphans_hold_abcd").contains("older dray"));

      assertThat(another.again(true).dropUnfinished(true).build().run().inserted()).isEqualTo(10);
      assertThat(holdTablesLeft(db, "orphans")).isZero();
      assertThat(
              db.queryLong(
                  "SELECT COUNT(*) FROM orphans_enqueues WHERE state = 3 AND enqueue_id = '"
                      + interrupted.enqueueId()
                      + "'"))
          .as("marked abandoned")
          .isEqualTo(1);
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void serializingAutoincLockModeMeansOneMoverAndOneWarning(TestDatabase db) {
    users(db, 12_000);
    JobQueue.init(db.config(), "serial", false);
    Logger logger = (Logger) LoggerFactory.getLogger(BulkEnqueue.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      BulkEnqueue bulk =
          BulkEnqueue.builder()
              .shard(db.config())
              .queue("serial")
              .query(USERS + " ORDER BY id")
              .viaHoldTable(true)
              .chunkSize(500)
              .movers(4)
              .again(true) // the same rows twice, on purpose
              .build();
      assertThat(bulk.run().inserted()).isEqualTo(12_000);
      assertThat(bulk.run().inserted()).isEqualTo(12_000);
    } finally {
      logger.detachAppender(appender);
    }
    List<String> warnings =
        appender.list.stream()
            .filter(e -> e.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    if (autoincLockMode(db) < 2) {
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0))
          .contains("innodb_autoinc_lock_mode is " + autoincLockMode(db))
          .contains("1 mover instead of 4")
          .contains("innodb_autoinc_lock_mode=2");
      // one mover: the queue holds the jobs in the query's order
      assertThat(outOfOrderPairs(db, "serial")).isEqualTo(1); // only where the second run starts
    } else {
      assertThat(warnings).isEmpty();
    }
    assertThat(db.queryLong("SELECT COUNT(*) FROM serial")).isEqualTo(24_000);
  }
}
