package dev.dray.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
        .containsExactly(QueueSql.READY, QueueSql.SCHEDULED);
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
      assertThat(db.queryLong("SELECT state FROM sched_retry")).isEqualTo(QueueSql.SCHEDULED);
      assertThat(db.queryLong("SELECT COUNT(*) FROM sched_retry_schedule")).isEqualTo(1);
      assertThat(session.claim(OWNER, 10, LEASE)).as("claimed during its backoff").isEmpty();
      List<ClaimedJob> second = claimWithin(session, Duration.ofSeconds(10));
      assertThat((System.nanoTime() - failed) / 1e9).isGreaterThan(0.9);
      assertThat(second).singleElement().satisfies(job -> assertThat(job.attempt()).isEqualTo(2));
      assertThat(session.fail(OWNER, second.get(0), "boom again")).isTrue();
    }
    assertThat(db.queryLong("SELECT state FROM sched_retry")).isEqualTo(QueueSql.DEAD);
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
    assertThat(db.queryLong("SELECT state FROM sched_old")).isEqualTo(QueueSql.READY);
    assertThat(old.stats().delayed()).isEqualTo(1);
    try (QueueSession session = old.openSession()) {
      assertThat(session.claim(OWNER, 10, LEASE)).isEmpty();
      assertThat(claimWithin(session, Duration.ofSeconds(10))).hasSize(1);
    }
    JobQueue.init(db.config(), "sched_old", JobQueue.InitOptions.defaults());
    assertThat(open(db, "sched_old", Duration.ofSeconds(1)).hasScheduleTable()).isTrue();
  }
}
