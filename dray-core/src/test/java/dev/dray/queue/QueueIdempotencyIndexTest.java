package dev.dray.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The UNIQUE idempotency index is opt-in; jobs with keys need it. */
@ExtendWith(MariaDbExtension.class)
class QueueIdempotencyIndexTest {
  private static String indexes(TestDatabase db, String table) {
    return db.query(
            "SELECT GROUP_CONCAT(DISTINCT CONCAT(index_name, ':', non_unique) ORDER BY index_name)"
                + " FROM information_schema.statistics WHERE table_schema = DATABASE()"
                + " AND table_name = '"
                + table
                + "'")
        .get(0)
        .get(0)
        .toString();
  }

  private static void assertUsageNamingTheFix(Throwable thrown, String queue) {
    assertThat(thrown)
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("has no idempotency index")
        .hasMessageContaining("nothing was enqueued")
        .hasMessageContaining("dray queue init --db ")
        .hasMessageContaining("--queue " + queue + " --idempotency-keys");
    assertThat(((DrayException) thrown).code()).isEqualTo(ErrorCode.USAGE);
  }

  @Test
  void withoutTheIndexJobsWithKeysAreRefusedBeforeAnythingIsWritten(TestDatabase db) {
    JobQueue.InitResult init = JobQueue.init(db.config(), "plain", false);
    assertThat(init.created()).isTrue();
    assertThat(init.idempotencyKeys()).isFalse();
    assertThat(indexes(db, "plain")).isEqualTo("claim_order:1,PRIMARY:0");
    assertThat(
            db.query(
                "SELECT column_type, is_nullable FROM information_schema.columns"
                    + " WHERE table_schema = DATABASE() AND table_name = 'plain'"
                    + " AND column_name = 'idempotency_key'"))
        .containsExactly(List.of("varchar(191)", "YES"));
    JobQueue queue = JobQueue.builder().connection(db.config()).queue("plain").build();
    assertThat(queue.hasIdempotencyIndex()).isFalse();

    // a batch whose last job has a key: not even the jobs before it are written
    Throwable batch =
        catchThrowable(
            () ->
                queue.enqueue(
                    List.of(
                        NewJob.of("{\"a\":1}"),
                        NewJob.of("{\"a\":2}"),
                        NewJob.of("{\"a\":3}").withIdempotencyKey("k"))));
    assertUsageNamingTheFix(batch, "plain");
    assertThat(batch).hasMessageContaining("job 3 of 3 has an idempotency key");
    assertUsageNamingTheFix(
        catchThrowable(() -> queue.enqueue(NewJob.of("{}").withIdempotencyKey("k"))), "plain");
    assertUsageNamingTheFix(
        catchThrowable(
            () ->
                BulkEnqueue.builder()
                    .shard(db.config())
                    .queue("plain")
                    .jobs(List.of(NewJob.of("{}"), NewJob.of("{}").withIdempotencyKey("k")))
                    .build()
                    .run()),
        "plain");

    db.execute(
        "CREATE TABLE users (id INT PRIMARY KEY)",
        "INSERT INTO users SELECT seq FROM seq_1_to_300");
    String keyed =
        "SELECT JSON_OBJECT('u', id) AS payload, CONCAT('u', id) AS idempotency_key FROM users";
    for (boolean viaHold : new boolean[] {false, true}) {
      Throwable query =
          catchThrowable(
              () ->
                  BulkEnqueue.builder()
                      .shard(db.config())
                      .queue("plain")
                      .query(keyed)
                      .viaHoldTable(viaHold)
                      .build()
                      .run());
      assertUsageNamingTheFix(query, "plain");
      assertThat(query).hasMessageContaining("idempotency_key column");
    }
    Throwable fromSource =
        catchThrowable(
            () ->
                BulkEnqueue.builder()
                    .shard(db.config())
                    .queue("plain")
                    .query(keyed)
                    .source(db.config())
                    .viaHoldTable(true)
                    .build()
                    .run());
    assertUsageNamingTheFix(fromSource, "plain");

    assertThat(db.queryLong("SELECT COUNT(*) FROM plain")).isZero();
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                    + " AND table_name LIKE 'plain_hold%'"))
        .isZero();

    // jobs without keys still go in, from a list and from a query
    assertThat(queue.enqueue(List.of(NewJob.of("{}"), NewJob.of("{}"))))
        .isEqualTo(new EnqueueResult(2, 2));
    assertThat(
            BulkEnqueue.builder()
                .shard(db.config())
                .queue("plain")
                .query("SELECT JSON_OBJECT('u', id) AS payload FROM users")
                .viaHoldTable(true)
                .build()
                .run()
                .inserted())
        .isEqualTo(300);
  }

  @Test
  void initWithIdempotencyKeysAddsTheIndexToAnExistingTable(TestDatabase db) {
    JobQueue.init(db.config(), "upgrade", false);
    JobQueue before = JobQueue.builder().connection(db.config()).queue("upgrade").build();
    before.enqueue(List.of(NewJob.of("{\"old\":1}"), NewJob.of("{\"old\":2}")));

    JobQueue.InitOptions keys = JobQueue.InitOptions.defaults().withIdempotencyKeys(true);
    JobQueue.InitResult upgraded = JobQueue.init(db.config(), "upgrade", keys);
    assertThat(upgraded.created()).isFalse();
    assertThat(upgraded.idempotencyKeys()).isTrue();
    assertThat(upgraded.idempotencyIndexAdded()).isTrue();
    assertThat(indexes(db, "upgrade")).isEqualTo("claim_order:1,idempotency:0,PRIMARY:0");

    // a JobQueue built before the upgrade still refuses keys (it read the schema once)
    assertThatThrownBy(() -> before.enqueue(NewJob.of("{}").withIdempotencyKey("k")))
        .hasMessageContaining("has no idempotency index");
    JobQueue after = JobQueue.builder().connection(db.config()).queue("upgrade").build();
    assertThat(after.hasIdempotencyIndex()).isTrue();
    assertThat(after.enqueue(NewJob.of("{\"n\":1}").withIdempotencyKey("k"))).isTrue();
    assertThat(after.enqueue(NewJob.of("{\"n\":2}").withIdempotencyKey("k"))).isFalse();
    assertThat(db.queryLong("SELECT COUNT(*) FROM upgrade")).isEqualTo(3);

    // again with the flag: nothing to add; without it: the index stays
    JobQueue.InitResult again = JobQueue.init(db.config(), "upgrade", keys);
    assertThat(again.idempotencyIndexAdded()).isFalse();
    assertThat(again.idempotencyKeys()).isTrue();
    JobQueue.InitResult plain = JobQueue.init(db.config(), "upgrade", false);
    assertThat(plain.idempotencyKeys()).isTrue();
    assertThat(indexes(db, "upgrade")).isEqualTo("claim_order:1,idempotency:0,PRIMARY:0");

    // a new table with the flag gets the index at creation
    JobQueue.InitResult fresh = JobQueue.init(db.config(), "fresh", keys);
    assertThat(fresh.created()).isTrue();
    assertThat(fresh.idempotencyKeys()).isTrue();
    assertThat(fresh.idempotencyIndexAdded()).isFalse();
    assertThat(indexes(db, "fresh")).isEqualTo("claim_order:1,idempotency:0,PRIMARY:0");
  }

  @Test
  void addingTheIndexOverDuplicateKeysFailsClearlyAndChangesNothing(TestDatabase db) {
    JobQueue.init(db.config(), "dups", false);
    db.execute("INSERT INTO dups (payload, idempotency_key) VALUES ('{}', 'same'), ('{}', 'same')");
    assertThatThrownBy(
            () ->
                JobQueue.init(
                    db.config(), "dups", JobQueue.InitOptions.defaults().withIdempotencyKeys(true)))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("cannot add the idempotency index")
        .hasMessageContaining("Duplicate entry");
    assertThat(indexes(db, "dups")).isEqualTo("claim_order:1,PRIMARY:0");
  }
}
