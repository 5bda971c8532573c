package dev.dray.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class JobQueueTest {
  private static final String OWNER = "test-owner";

  private static JobQueue create(TestDatabase db, String name, boolean done) {
    return create(db, name, JobQueue.InitOptions.defaults().withDoneTable(done));
  }

  private static JobQueue create(TestDatabase db, String name, JobQueue.InitOptions options) {
    JobQueue.init(db.config(), name, options);
    return JobQueue.builder()
        .connection(db.config())
        .queue(name)
        .maxAttempts(3)
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(40))
        .build();
  }

  @Test
  void claimsInPrimaryKeyOrderAndCompletesByDeleting(TestDatabase db) {
    JobQueue queue = create(db, "basic", false);
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      jobs.add(NewJob.of("{\"n\":" + i + "}"));
    }
    assertThat(queue.enqueue(jobs)).isEqualTo(new EnqueueResult(25, 25));
    try (QueueSession session = queue.openSession()) {
      List<ClaimedJob> first = session.claim(OWNER, 10, Duration.ofSeconds(30));
      assertThat(first).extracting(ClaimedJob::payload).first().isEqualTo("{\"n\":0}");
      assertThat(first).extracting(ClaimedJob::id).isSorted().hasSize(10);
      assertThat(first).allSatisfy(job -> assertThat(job.attempt()).isEqualTo(1));
      assertThat(queue.stats().leased()).isEqualTo(10);
      assertThat(session.complete(OWNER, first.stream().map(ClaimedJob::id).toList()))
          .isEqualTo(10);
    }
    QueueStats stats = queue.stats();
    assertThat(stats.ready()).isEqualTo(15);
    assertThat(stats.leased()).isZero();
    assertThat(stats.done()).isEqualTo(-1);
    assertThat(stats.toMap()).containsKeys("ready", "leased", "dead", "done", "oldest_ready_age_s");
  }

  @Test
  void skipLockedClaimsNeverOverlap(TestDatabase db) {
    JobQueue queue = create(db, "overlap", false);
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      jobs.add(NewJob.of("{}"));
    }
    queue.enqueue(jobs);
    try (QueueSession a = queue.openSession();
        QueueSession b = queue.openSession()) {
      List<ClaimedJob> first = a.claim("a", 20, Duration.ofSeconds(30));
      List<ClaimedJob> second = b.claim("b", 20, Duration.ofSeconds(30));
      assertThat(first).hasSize(20);
      assertThat(second).hasSize(10);
      assertThat(second)
          .extracting(ClaimedJob::id)
          .doesNotContainAnyElementsOf(first.stream().map(ClaimedJob::id).toList());
      // another owner cannot complete a job it does not hold
      assertThat(b.complete("b", List.of(first.get(0).id()))).isZero();
    }
  }

  @Test
  void duplicateIdempotencyKeyIsIgnored(TestDatabase db) {
    JobQueue queue = create(db, "idem", JobQueue.InitOptions.defaults().withIdempotencyKeys(true));
    assertThat(queue.hasIdempotencyIndex()).isTrue();
    assertThat(queue.enqueue(NewJob.of("{\"a\":1}").withIdempotencyKey("user-1"))).isTrue();
    assertThat(queue.enqueue(NewJob.of("{\"a\":2}").withIdempotencyKey("user-1"))).isFalse();
    EnqueueResult batch =
        queue.enqueue(
            List.of(
                NewJob.of("{}").withIdempotencyKey("user-1"),
                NewJob.of("{}").withIdempotencyKey("user-2"),
                NewJob.of("{}")));
    assertThat(batch).isEqualTo(new EnqueueResult(3, 2));
    assertThat(queue.stats().ready()).isEqualTo(3);
  }

  @Test
  void poisonJobEndsDeadAfterMaxAttemptsWithItsLastError(TestDatabase db) {
    JobQueue queue = create(db, "poison", false);
    queue.enqueue(NewJob.of("{\"poison\":true}"));
    queue.enqueue(NewJob.of("{\"fine\":true}"));
    AtomicInteger poisonRuns = new AtomicInteger();
    WorkResult result =
        QueueWorkers.builder(queue)
            .workers(2)
            .lease(Duration.ofSeconds(5))
            .untilEmpty(true)
            .handler(
                job -> {
                  if (job.payload().contains("poison")) {
                    poisonRuns.incrementAndGet();
                    throw new IllegalStateException("cannot digest attempt " + job.attempt());
                  }
                })
            .build()
            .run();
    assertThat(poisonRuns).hasValue(3);
    assertThat(result.processed()).isEqualTo(1);
    assertThat(result.dead()).isEqualTo(1);
    assertThat(queue.stats().dead()).isEqualTo(1);
    assertThat(db.query("SELECT attempts, last_error FROM poison WHERE state = 2"))
        .containsExactly(List.of(3, "cannot digest attempt 3"));
  }

  @Test
  void expiredLeaseMakesJobClaimableAgainAndHeartbeatsKeepItAlive(TestDatabase db)
      throws Exception {
    JobQueue queue = create(db, "lease", false);
    queue.enqueue(List.of(NewJob.of("{\"n\":1}"), NewJob.of("{\"n\":2}")));
    try (QueueSession crashed = queue.openSession();
        QueueSession other = queue.openSession()) {
      List<ClaimedJob> lost = crashed.claim("crashed", 1, Duration.ofMillis(200));
      List<ClaimedJob> alive = crashed.claim("alive", 1, Duration.ofMillis(200));
      crashed.extendLeases("alive", List.of(alive.get(0).id()), Duration.ofSeconds(30));
      awaitLeaseExpiredOnTheServersClock(db, "lease", lost.get(0).id());
      assertThat(other.reclaimExpired(100)).isEqualTo(1);
      List<ClaimedJob> again = other.claim("other", 10, Duration.ofSeconds(30));
      assertThat(again).extracting(ClaimedJob::id).containsExactly(lost.get(0).id());
      assertThat(again.get(0).attempt()).isEqualTo(2);
      assertThat(crashed.complete("crashed", List.of(lost.get(0).id()))).isZero();
    }
  }

  @Test
  void doneTableKeepsCompletedJobs(TestDatabase db) {
    JobQueue queue = create(db, "withdone", true);
    queue.enqueue(List.of(NewJob.of("{\"x\":1}"), NewJob.of("{\"x\":2}")));
    WorkResult result =
        QueueWorkers.builder(queue).workers(1).untilEmpty(true).handler(job -> {}).build().run();
    assertThat(result.processed()).isEqualTo(2);
    QueueStats stats = queue.stats();
    assertThat(stats.done()).isEqualTo(2);
    assertThat(stats.completedLastMinute()).isEqualTo(2);
    assertThat(stats.ready() + stats.leased()).isZero();
  }

  @Test
  void gracefulStopReleasesUnstartedClaims(TestDatabase db) throws Exception {
    JobQueue queue = create(db, "graceful", false);
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      jobs.add(NewJob.of("{}"));
    }
    queue.enqueue(jobs);
    Set<Long> ran = ConcurrentHashMap.newKeySet();
    QueueWorkers[] holder = new QueueWorkers[1];
    holder[0] =
        QueueWorkers.builder(queue)
            .workers(1)
            .maxBatch(50)
            .handler(
                job -> {
                  ran.add(job.id());
                  if (ran.size() == 3) {
                    holder[0].stop();
                  }
                })
            .build();
    WorkResult result = holder[0].run();
    assertThat(result.processed()).isEqualTo(ran.size());
    QueueStats stats = queue.stats();
    assertThat(stats.leased()).isZero();
    assertThat(stats.ready()).isEqualTo(50 - ran.size());
    assertThat(db.queryLong("SELECT MAX(attempts) FROM graceful")).isZero();
  }

  @Test
  void bulkEnqueueFromQueryDirectAndViaHoldTable(TestDatabase db) {
    create(db, "bulk", JobQueue.InitOptions.defaults().withIdempotencyKeys(true));
    db.execute(
        "CREATE TABLE users (id INT PRIMARY KEY)",
        "INSERT INTO users SELECT seq FROM seq_1_to_12000");
    String query =
        "SELECT JSON_OBJECT('user', id) AS payload, CONCAT('u', id) AS idempotency_key FROM users";
    BulkEnqueueResult direct =
        BulkEnqueue.builder()
            .shard(db.config())
            .queue("bulk")
            .query(query)
            .chunkSize(1000)
            .build()
            .run();
    assertThat(direct.inserted()).isEqualTo(12000);
    BulkEnqueueResult viaHold =
        BulkEnqueue.builder()
            .shard(db.config())
            .queue("bulk")
            .query(query)
            .chunkSize(5000)
            .viaHoldTable(true)
            .build()
            .run();
    assertThat(viaHold.submitted()).isEqualTo(12000);
    assertThat(viaHold.inserted()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM bulk")).isEqualTo(12000);
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'bulk_hold%'"))
        .isZero();
  }

  @Test
  void bulkEnqueueFromAnotherDatabaseSpreadsOverShards(TestDatabase db) {
    db.execute("CREATE DATABASE IF NOT EXISTS " + db.schema() + "_s2");
    try {
      ConnectionConfig shard2 = db.config(db.schema() + "_s2");
      JobQueue.init(db.config(), "sharded", false);
      JobQueue.init(shard2, "sharded", false);
      db.execute(
          "CREATE TABLE shard_src (id INT PRIMARY KEY)",
          "INSERT INTO shard_src SELECT seq FROM seq_1_to_3000");
      BulkEnqueueResult result =
          BulkEnqueue.builder()
              .shard(db.config())
              .shard(shard2)
              .queue("sharded")
              .query("SELECT JSON_OBJECT('id', id) AS payload FROM shard_src")
              .source(db.config())
              .viaHoldTable(true)
              .chunkSize(500)
              .build()
              .run();
      assertThat(result.inserted()).isEqualTo(3000);
      long first = db.queryLong("SELECT COUNT(*) FROM sharded");
      long second = db.queryLong("SELECT COUNT(*) FROM " + db.schema() + "_s2.sharded");
      assertThat(first + second).isEqualTo(3000);
      assertThat(first).isBetween(1000L, 2000L);
    } finally {
      db.execute("DROP DATABASE IF EXISTS " + db.schema() + "_s2");
    }
  }

  @Test
  void badInputGivesClearErrorsAndLosesNothing(TestDatabase db) {
    JobQueue queue = create(db, "strict", false);
    queue.enqueue(NewJob.of("{\"keep\":1}"));
    assertThatThrownBy(() -> NewJob.of("{not json"))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("malformed job payload")
        .extracting(e -> ((DrayException) e).code())
        .isEqualTo(ErrorCode.USAGE);
    assertThatThrownBy(() -> JobQueue.builder().connection(db.config()).queue("nope").build())
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("queue 'nope' does not exist")
        .extracting(e -> ((DrayException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThatThrownBy(() -> new QueueName("bad-name;drop"))
        .hasMessageContaining("invalid queue name");
    db.execute(
        "CREATE TABLE src (p TEXT)",
        "INSERT INTO src VALUES ('{\"a\":1}'), ('oops'), ('{\"b\":2}')");
    assertThatThrownBy(
            () ->
                BulkEnqueue.builder()
                    .shard(db.config())
                    .queue("strict")
                    .query("SELECT p AS payload FROM src")
                    .viaHoldTable(true)
                    .build()
                    .run())
        .hasMessageContaining("malformed job payload in row 2")
        .hasMessageContaining("nothing was enqueued");
    assertThat(queue.stats().ready()).isEqualTo(1);
    ConnectionConfig gone =
        ConnectionConfig.of("jdbc:mariadb://127.0.0.1:1/nowhere?connectTimeout=500")
            .withUser("root");
    assertThatThrownBy(() -> JobQueue.builder().connection(gone).queue("strict").build())
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("cannot connect")
        .extracting(e -> ((DrayException) e).code())
        .isEqualTo(ErrorCode.CONNECTION_FAILED);
    assertThat(queue.stats().ready()).isEqualTo(1);
  }

  /** Waits until the server's own clock has passed the job's lease (no guess at a sleep). */
  private static void awaitLeaseExpiredOnTheServersClock(TestDatabase db, String table, long id)
      throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (db.queryLong(
            "SELECT COUNT(*) FROM " + table + " WHERE id = " + id + " AND lease_until < NOW(6)")
        == 0) {
      assertThat(System.nanoTime())
          .as("lease of job %d expired within 30 s", id)
          .isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
