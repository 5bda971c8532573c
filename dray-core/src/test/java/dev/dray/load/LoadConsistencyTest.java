package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.run.Cancellation;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One point in time: a writer commits pairs of rows (one in each of two partitions) in single
 * transactions while the load runs. The loaded table holds every pair whole or not at all, and
 * exactly the pairs committed before the snapshot: a prefix of the writer's commits.
 */
@ExtendWith(MariaDbExtension.class)
class LoadConsistencyTest {
  private static final int PRELOADED_PAIRS = 10_000;

  @TempDir Path dir;

  @Test
  void everyWorkerReadsTheSamePointInTime(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE pairs (id BIGINT NOT NULL PRIMARY KEY, pair BIGINT NOT NULL, payload VARCHAR(64))"
            + " PARTITION BY HASH (id) PARTITIONS 4",
        "INSERT INTO pairs SELECT seq, seq DIV 2, MD5(seq) FROM seq_0_to_"
            + (2 * PRELOADED_PAIRS - 1),
        "ANALYZE TABLE pairs");
    AtomicLong committedPairs = new AtomicLong(PRELOADED_PAIRS);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> writerFailure = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try (Connection connection = db.connect();
                  PreparedStatement insert =
                      connection.prepareStatement("INSERT INTO pairs VALUES (?, ?, MD5(?))")) {
                connection.setAutoCommit(false);
                long deadline = System.nanoTime() + 60_000_000_000L;
                for (long pair = PRELOADED_PAIRS;
                    !stop.get() && System.nanoTime() < deadline;
                    pair++) {
                  for (long id = 2 * pair; id <= 2 * pair + 1; id++) {
                    insert.setLong(1, id);
                    insert.setLong(2, pair);
                    insert.setLong(3, id);
                    insert.executeUpdate();
                  }
                  connection.commit();
                  committedPairs.set(pair + 1);
                }
              } catch (Throwable e) {
                writerFailure.set(e);
              }
            },
            "test-pair-writer");
    writer.start();
    while (committedPairs.get() < PRELOADED_PAIRS + 50) {
      Thread.sleep(5);
    }
    long beforeLoad = committedPairs.get();
    AtomicLong atSnapshot = new AtomicLong();
    Path file = dir.resolve("pairs.duckdb");

    LoadResult result;
    try {
      result =
          LoadJob.builder()
              .source(db.config())
              .table(db.table("pairs"))
              .target(file)
              .workers(4)
              .chunkRows(1500)
              .build()
              .run(
                  new Cancellation(),
                  new LoadListener() {
                    @Override
                    public void started(AtomicLong rowsLoaded) {
                      atSnapshot.set(committedPairs.get());
                      // the writer commits more pairs after the snapshot, before any task reads
                      while (committedPairs.get() < atSnapshot.get() + 20
                          && writerFailure.get() == null) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                      }
                    }
                  });
    } finally {
      stop.set(true);
      writer.join();
    }
    long afterLoad = committedPairs.get();

    assertThat(writerFailure.get()).isNull();
    assertThat(result.tasks()).isGreaterThan(4);
    assertThat(DuckDbFiles.query(file, "SELECT pair FROM pairs GROUP BY pair HAVING count(*) <> 2"))
        .isEmpty();
    List<Object> stats =
        DuckDbFiles.query(
                file, "SELECT count(DISTINCT pair), min(pair), max(pair), count(*) FROM pairs")
            .get(0);
    long pairs = ((Number) stats.get(0)).longValue();
    assertThat(((Number) stats.get(1)).longValue()).isZero();
    assertThat(((Number) stats.get(2)).longValue())
        .isEqualTo(pairs - 1); // a prefix: no pair missing
    // the writer counts a pair just after its commit returns: at most one committed pair uncounted
    assertThat(pairs).isBetween(beforeLoad, atSnapshot.get() + 1);
    assertThat(afterLoad).isGreaterThan(pairs); // the writer went on during the load, unseen
    assertThat(result.rows()).isEqualTo(2 * pairs);
  }
}
