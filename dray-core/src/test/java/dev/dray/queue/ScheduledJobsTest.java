package dev.dray.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.QueueStatements;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delayed jobs (enqueued with a delay, or waiting out a retry backoff) wait in the scheduled state
 * with a row in {@code NAME_schedule}, out of the claim order, and become ready once due.
 */
@ExtendWith(MariaDbExtension.class)
class ScheduledJobsTest {
  private static final String OWNER = "scheduled-test";
  private static final Duration LEASE = Duration.ofSeconds(30);

  private static JobQueue create(TestDatabase db, String name, Duration backoff) {
    JobQueue.init(db.config(), name, JobQueue.InitOptions.defaults().withIdempotencyKeys(true));
    return open(db, name, backoff);
  }

  private static JobQueue open(TestDatabase db, String name, Duration backoff) {
    return JobQueue.builder()
        .connection(db.config())
        .queue(name)
        .maxAttempts(2)
        .retryBackoff(backoff, backoff)
        .build();
  }

  /** Claims until something comes or {@code timeout} passes. */
  private static List<ClaimedJob> claimWithin(QueueSession session, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ClaimedJob> jobs = session.claim(OWNER, 10, LEASE);
      if (!jobs.isEmpty() || System.nanoTime() > deadline) {
        return jobs;
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aDelayedJobWaitsInTheScheduleUntilItIsDue(TestDatabase db) throws Exception {
    JobQueue queue = create(db, "sched_delay", Duration.ofSeconds(1));
    long enqueued = System.nanoTime();
    queue.enqueue(
        List.of(
            NewJob.of("{\"later\":true}").withDelay(Duration.ofMillis(1500)),
            NewJob.of("{\"now\":true}")));
    assertThat(db.query("SELECT state FROM sched_delay ORDER BY state"))
        .extracting(row -> ((Number) row.get(0)).intValue())
        .containsExactly(QueueStatements.READY, QueueStatements.SCHEDULED);
    assertThat(db.queryLong("SELECT COUNT(*) FROM sched_delay_schedule")).isEqualTo(1);
    QueueStats stats = queue.stats();
    assertThat(stats.ready()).isEqualTo(1);
    assertThat(stats.delayed()).isEqualTo(1);
    try (QueueSession session = queue.openSession()) {
      assertThat(session.claim(OWNER, 10, LEASE))
          .extracting(ClaimedJob::payload)
          .containsExactly("{\"now\":true}");
      List<ClaimedJob> later = claimWithin(session, Duration.ofSeconds(10));
      double waited = (System.nanoTime() - enqueued) / 1e9;
      assertThat(later).extracting(ClaimedJob::payload).containsExactly("{\"later\":true}");
      assertThat(waited).as("seconds until the delayed job was claimed").isGreaterThan(1.4);
    }
    assertThat(db.queryLong("SELECT COUNT(*) FROM sched_delay_schedule")).isZero();
  }

  @Test
  void aRetryWaitsOutItsBackoffInTheScheduleAndADeadJobLeavesNoScheduleRow(TestDatabase db)
      throws Exception {
    JobQueue queue = create(db, "sched_retry", Duration.ofSeconds(1));
    queue.enqueue(NewJob.of("{\"flaky\":true}"));
    try (QueueSession session = queue.openSession()) {
      ClaimedJob first = session.claim(OWNER, 10, LEASE).get(0);
      long failed = System.nanoTime();
      assertThat(session.fail(OWNER, first, "boom")).isFalse();
      assertThat(db.queryLong("SELECT state FROM sched_retry"))
          .isEqualTo(QueueStatements.SCHEDULED);
      assertThat(db.queryLong("SELECT COUNT(*) FROM sched_retry_schedule")).isEqualTo(1);
      assertThat(session.claim(OWNER, 10, LEASE)).as("claimed during its backoff").isEmpty();
      List<ClaimedJob> second = claimWithin(session, Duration.ofSeconds(10));
      assertThat((System.nanoTime() - failed) / 1e9).isGreaterThan(0.9);
      assertThat(second).singleElement().satisfies(job -> assertThat(job.attempt()).isEqualTo(2));
      assertThat(session.fail(OWNER, second.get(0), "boom again")).isTrue();
    }
    assertThat(db.queryLong("SELECT state FROM sched_retry")).isEqualTo(QueueStatements.DEAD);
    assertThat(db.queryLong("SELECT COUNT(*) FROM sched_retry_schedule")).isZero();
  }

  @Test
  void aDuplicateIdempotencyKeyOfADelayedJobIsIgnoredWithoutAScheduleRow(TestDatabase db) {
    JobQueue queue = create(db, "sched_dup", Duration.ofSeconds(1));
    NewJob job = NewJob.of("{\"x\":1}").withDelay(Duration.ofHours(1)).withIdempotencyKey("k1");
    assertThat(queue.enqueue(List.of(job, job))).isEqualTo(new EnqueueResult(2, 1));
    assertThat(queue.enqueue(List.of(job))).isEqualTo(new EnqueueResult(1, 0));
    assertThat(db.queryLong("SELECT COUNT(*) FROM sched_dup")).isEqualTo(1);
    assertThat(db.queryLong("SELECT COUNT(*) FROM sched_dup_schedule")).isEqualTo(1);
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM sched_dup q JOIN sched_dup_schedule s ON s.id = q.id"
                    + " AND s.due_at = q.visible_at"))
        .isEqualTo(1);
  }

  /**
   * {@code delayed} delayed jobs and {@code ready} ready ones, interleaved. Every delayed job has
   * its own delay (an hour and some microseconds), written into its payload as {@code delay_us} so
   * that {@link #assertOnePointerPerScheduledJob} can check each row got its own delay; {@code
   * keyOf} gives the idempotency key of the i-th delayed job (null: none).
   */
  private static List<NewJob> mixedBatch(int delayed, int ready, IntFunction<String> keyOf) {
    List<NewJob> jobs = new ArrayList<>(delayed + ready);
    int d = 0;
    int r = 0;
    while (d < delayed || r < ready) {
      // about delayed/ready delayed jobs per ready one, spread over the whole batch
      if (d < delayed && (r >= ready || (long) d * ready <= (long) r * delayed)) {
        long delayMicros = 3_600_000_000L + d * 1_001L + 7;
        jobs.add(
            NewJob.of("{\"d\":" + d + ",\"delay_us\":" + delayMicros + "}")
                .withDelay(Duration.ofNanos(delayMicros * 1000))
                .withIdempotencyKey(keyOf.apply(d)));
        d++;
      } else {
        jobs.add(NewJob.of("{\"r\":" + r + "}"));
        r++;
      }
    }
    return jobs;
  }

  /**
   * Every scheduled job of {@code table} has exactly one schedule row, with its id and due at its
   * visible_at; there is no other schedule row; every scheduled job waits for its own delay.
   */
  private static void assertOnePointerPerScheduledJob(
      TestDatabase db, String table, long scheduled, long ready) {
    assertThat(db.queryLong("SELECT COUNT(*) FROM " + table + " WHERE state = 3"))
        .as("scheduled jobs")
        .isEqualTo(scheduled);
    assertThat(db.queryLong("SELECT COUNT(*) FROM " + table + " WHERE state = 0"))
        .as("ready jobs")
        .isEqualTo(ready);
    assertThat(db.queryLong("SELECT COUNT(*) FROM " + table + "_schedule"))
        .as("schedule rows")
        .isEqualTo(scheduled);
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM "
                    + table
                    + " q JOIN "
                    + table
                    + "_schedule s ON s.id = q.id AND s.due_at = q.visible_at WHERE q.state = 3"))
        .as("scheduled jobs with a schedule row of the same id and due_at")
        .isEqualTo(scheduled);
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM "
                    + table
                    + " WHERE state = 3 AND TIMESTAMPDIFF(MICROSECOND, created_at, visible_at)"
                    + " = JSON_VALUE(payload, '$.delay_us')"))
        .as("scheduled jobs visible after their own delay")
        .isEqualTo(scheduled);
  }

  /** INSERT statements this session has run (INSERT ... VALUES and INSERT ... SELECT). */
  private static long insertStatements(QueueSession session) throws SQLException {
    try (Statement statement = session.connection().createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT SUM(VARIABLE_VALUE) FROM information_schema.SESSION_STATUS"
                    + " WHERE VARIABLE_NAME IN ('COM_INSERT', 'COM_INSERT_SELECT')")) {
      rs.next();
      long value = rs.getLong(1);
      session.connection().commit();
      return value;
    }
  }

  @ParameterizedTest(name = "one row per statement: {0}")
  @ValueSource(booleans = {false, true})
  void aBatchOfDelayedAndReadyJobsGivesEachDelayedJobOnePointer(boolean oneByOne, TestDatabase db)
      throws Exception {
    String table = oneByOne ? "sched_mixed_rows" : "sched_mixed_multi";
    JobQueue queue = create(db, table, Duration.ofSeconds(1));
    List<NewJob> jobs = mixedBatch(2_000, 500, d -> null);
    try (QueueSession session = queue.openSession()) {
      if (oneByOne) {
        session.insertDelayedJobsOneByOne();
      }
      assertThat(session.enqueue(jobs)).isEqualTo(new EnqueueResult(2_500, 2_500));
    }
    assertOnePointerPerScheduledJob(db, table, 2_000, 500);
    QueueStats stats = queue.stats();
    assertThat(stats.ready()).isEqualTo(500);
    assertThat(stats.delayed()).isEqualTo(2_000);
  }

  @ParameterizedTest(name = "one row per statement: {0}")
  @ValueSource(booleans = {false, true})
  void duplicateIdempotencyKeysAmongDelayedJobsAreIgnoredWithoutExtraPointers(
      boolean oneByOne, TestDatabase db) throws Exception {
    String table = oneByOne ? "sched_keys_rows" : "sched_keys_multi";
    JobQueue queue = create(db, table, Duration.ofSeconds(1));
    // already queued: key-0, as the first delayed job of the batch below has
    queue.enqueue(mixedBatch(1, 0, d -> "key-0"));
    // 600 delayed jobs: 60 without a key (every tenth), the others with 180 keys three times each
    // (first at d = key number), spread over chunks of 300 jobs; 150 ready jobs without keys
    List<NewJob> jobs = mixedBatch(600, 150, d -> d % 10 == 9 ? null : "key-" + (d % 200));
    assertThat(jobs.stream().map(NewJob::idempotencyKey).filter(k -> k != null).distinct().count())
        .isEqualTo(180);
    try (QueueSession session = queue.openSession()) {
      if (oneByOne) {
        session.insertDelayedJobsOneByOne();
      }
      assertThat(session.enqueue(jobs, 300)).isEqualTo(new EnqueueResult(750, 60 + 179 + 150));
      // again: every delayed job with a key is a duplicate now
      assertThat(session.enqueue(jobs, 300)).isEqualTo(new EnqueueResult(750, 60 + 150));
    }
    assertOnePointerPerScheduledJob(db, table, 1 + 179 + 2 * 60, 2 * 150);
    // the first job with each key was kept, the later ones ignored
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM "
                    + table
                    + " WHERE idempotency_key IS NOT NULL"
                    + " AND JSON_VALUE(payload, '$.d') = SUBSTRING(idempotency_key, 5)"))
        .isEqualTo(180);
    assertThat(db.queryLong("SELECT COUNT(*) FROM " + table + " WHERE idempotency_key IS NOT NULL"))
        .isEqualTo(180);
  }

  /**
   * Not timed but counted: on MariaDB 10.5+ a chunk with delayed jobs is three statements (the
   * ready jobs, the delayed jobs with RETURNING, their schedule rows), not two per delayed job.
   */
  @Test
  void onMariaDbDelayedJobsGoInWithMultiRowStatements(TestDatabase db) throws Exception {
    JobQueue queue = create(db, "sched_count_multi", Duration.ofSeconds(1));
    assertThat(queue.dialect().supportsInsertReturning())
        .as("INSERT ... RETURNING on " + queue.dialect().productName())
        .isTrue();
    try (QueueSession session = queue.openSession()) {
      assertThat(session.batchesDelayedJobs()).isTrue();
      long before = insertStatements(session);
      // 2,500 jobs in chunks of 1,000: 800 + 800 + 400 delayed ones
      assertThat(session.enqueue(mixedBatch(2_000, 500, d -> null)))
          .isEqualTo(new EnqueueResult(2_500, 2_500));
      assertThat(insertStatements(session) - before).as("INSERT statements").isEqualTo(3 * 3);

      before = insertStatements(session);
      assertThat(session.enqueue(mixedBatch(5, 0, d -> null)).inserted()).isEqualTo(5);
      assertThat(insertStatements(session) - before).as("INSERT statements").isEqualTo(2);

      // every delayed job a duplicate: nothing returned, so no schedule rows to write
      List<NewJob> keyed = mixedBatch(3, 0, d -> "dup-" + d);
      assertThat(session.enqueue(keyed).inserted()).isEqualTo(3);
      before = insertStatements(session);
      assertThat(session.enqueue(keyed).inserted()).isZero();
      assertThat(insertStatements(session) - before).as("INSERT statements").isEqualTo(1);
    }
    assertOnePointerPerScheduledJob(db, "sched_count_multi", 2_008, 500);
  }

  /** The row-by-row path (MySQL, MariaDB before 10.5): two statements per delayed job. */
  @Test
  void withoutReturningDelayedJobsGoInOneRowPerStatement(TestDatabase db) throws Exception {
    JobQueue queue = create(db, "sched_count_rows", Duration.ofSeconds(1));
    try (QueueSession session = queue.openSession()) {
      session.insertDelayedJobsOneByOne();
      assertThat(session.batchesDelayedJobs()).isFalse();
      long before = insertStatements(session);
      assertThat(session.enqueue(mixedBatch(200, 50, d -> null)))
          .isEqualTo(new EnqueueResult(250, 250));
      assertThat(insertStatements(session) - before).as("INSERT statements").isEqualTo(1 + 2 * 200);
    }
    assertOnePointerPerScheduledJob(db, "sched_count_rows", 200, 50);
  }

  /**
   * The point of the schedule: a claim reads only ready rows. Counted with the session's handler
   * counters rather than timed: with 3,000 jobs scheduled ahead of 10 ready ones a claim reads a
   * few index entries, while the same jobs delayed in the claim order (as a queue without a
   * schedule table keeps them) are all read by every claim.
   */
  @Test
  void claimsDoNotReadScheduledJobs(TestDatabase db) throws Exception {
    JobQueue queue = create(db, "sched_scan", Duration.ofSeconds(1));
    db.execute(
        "INSERT INTO sched_scan (payload, state, visible_at)"
            + " SELECT '{}', 3, NOW(6) + INTERVAL 1 HOUR FROM seq_1_to_3000",
        "INSERT INTO sched_scan_schedule (due_at, id) SELECT visible_at, id FROM sched_scan",
        "INSERT INTO sched_scan (payload) SELECT '{}' FROM seq_1_to_10");
    assertThat(rowsReadByAClaim(queue)).as("index entries read by a claim").isLessThan(100);

    db.execute(
        "DELETE FROM sched_scan",
        "DELETE FROM sched_scan_schedule",
        "INSERT INTO sched_scan (payload, state, visible_at)"
            + " SELECT '{}', 0, NOW(6) + INTERVAL 1 HOUR FROM seq_1_to_3000",
        "INSERT INTO sched_scan (payload) SELECT '{}' FROM seq_1_to_10");
    assertThat(rowsReadByAClaim(queue))
        .as("index entries read by a claim with the delayed jobs in the claim order")
        .isGreaterThanOrEqualTo(3000);
  }

  private static long rowsReadByAClaim(JobQueue queue) throws SQLException {
    try (QueueSession session = queue.openSession()) {
      session.promoteDue(); // so the claim below does not promote (nothing is due anyway)
      long before = handlerReads(session);
      assertThat(session.claim(OWNER, 10, LEASE)).hasSize(10);
      return handlerReads(session) - before;
    }
  }

  private static long handlerReads(QueueSession session) throws SQLException {
    try (Statement statement = session.connection().createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT SUM(VARIABLE_VALUE) FROM information_schema.SESSION_STATUS"
                    + " WHERE VARIABLE_NAME IN ('HANDLER_READ_NEXT', 'HANDLER_READ_KEY',"
                    + " 'HANDLER_READ_RND_NEXT')")) {
      rs.next();
      long value = rs.getLong(1);
      session.connection().commit();
      return value;
    }
  }

  @Test
  void aQueueWithoutAScheduleTableStillDelaysJobsAndInitAddsTheTable(TestDatabase db)
      throws Exception {
    create(db, "sched_old", Duration.ofSeconds(1));
    db.execute("DROP TABLE sched_old_schedule");
    JobQueue old = open(db, "sched_old", Duration.ofSeconds(1));
    assertThat(old.hasScheduleTable()).isFalse();
    old.enqueue(NewJob.of("{\"old\":true}").withDelay(Duration.ofMillis(800)));
    assertThat(db.queryLong("SELECT state FROM sched_old")).isEqualTo(QueueStatements.READY);
    assertThat(old.stats().delayed()).isEqualTo(1);
    try (QueueSession session = old.openSession()) {
      assertThat(session.claim(OWNER, 10, LEASE)).isEmpty();
      assertThat(claimWithin(session, Duration.ofSeconds(10))).hasSize(1);
    }
    JobQueue.init(db.config(), "sched_old", JobQueue.InitOptions.defaults());
    assertThat(open(db, "sched_old", Duration.ofSeconds(1)).hasScheduleTable()).isTrue();
  }
}
