package dev.dray.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bulk enqueue of 200,000 jobs (the issue asks for 1M; 200k keeps the suite within its time
 * budget, and the benchmark covers larger runs) through the hold table and straight from a query,
 * while producers insert and workers claim. No deadlock or lock wait error may reach any of them,
 * and every job is either processed or still queued.
 */
@ExtendWith(MariaDbExtension.class)
class BulkEnqueueUnderLoadTest {
  @Test
  void bulkEnqueueWhileProducersInsertAndWorkersClaim(TestDatabase db) throws Exception {
    JobQueue.init(db.config(), "live", false);
    JobQueue queue = JobQueue.builder().connection(db.config()).queue("live").build();
    db.execute(
        "CREATE TABLE users (id INT PRIMARY KEY)",
        "INSERT INTO users SELECT seq FROM seq_1_to_200000");

    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong produced = new AtomicLong();
    AtomicReference<Throwable> error = new AtomicReference<>();
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      Thread thread =
          new Thread(
              () -> {
                try (QueueSession session = queue.openSession()) {
                  while (producing.get()) {
                    session.enqueue(List.of(NewJob.of("{\"live\":true}")));
                    produced.incrementAndGet();
                  }
                } catch (Throwable t) {
                  error.compareAndSet(null, t);
                }
              },
              "test-producer-" + p);
      thread.start();
      producers.add(thread);
    }
    QueueWorkers workers = QueueWorkers.builder(queue).workers(4).handler(Handlers.noop()).build();
    AtomicReference<WorkResult> result = new AtomicReference<>();
    Thread workerThread =
        new Thread(
            () -> {
              try {
                result.set(workers.run());
              } catch (Throwable t) {
                error.compareAndSet(null, t);
              }
            },
            "test-workers");
    workerThread.start();

    String query = "SELECT JSON_OBJECT('user', id) AS payload FROM users";
    BulkEnqueueResult viaHold =
        BulkEnqueue.builder()
            .shard(db.config())
            .queue("live")
            .query(query)
            .viaHoldTable(true)
            .chunkSize(5000)
            .build()
            .run();
    BulkEnqueueResult direct =
        BulkEnqueue.builder()
            .shard(db.config())
            .queue("live")
            .query(query + " WHERE id <= 50000")
            .chunkSize(5000)
            .build()
            .run();

    producing.set(false);
    for (Thread producer : producers) {
      producer.join();
    }
    workers.stopAndWait(Duration.ofSeconds(60));
    workerThread.join();

    assertThat(error.get()).as("no error surfaced to producers or workers").isNull();
    assertThat(viaHold.inserted()).isEqualTo(200_000);
    assertThat(direct.inserted()).isEqualTo(50_000);
    long queued = db.queryLong("SELECT COUNT(*) FROM live");
    assertThat(db.queryLong("SELECT COUNT(*) FROM live WHERE state = 1")).isZero();
    assertThat(result.get().processed() + queued).isEqualTo(250_000 + produced.get());
  }
}
