package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.change.BinlogPreconditions;
import dev.dray.change.ChangeStreamTest;
import dev.dray.db.BinlogPosition;
import dev.dray.db.Connections;
import dev.dray.db.Dialects;
import dev.dray.run.Cancellation;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnlineCopy} on a server with a binary log, under live writers with an exact invariant:
 * counter increments, inserts and deletes of known keys and key changes, from several threads while
 * the chunks copy. Afterwards the target equals the source (verify) and holds every acknowledged
 * increment.
 */
@org.junit.jupiter.api.Tag("slow")
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class OnlineCopyTest {
  private static final int ROWS = 20_000;
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = BinlogServer.newDatabase("online");
  }

  private static void createSource(String table) {
    db.execute(
        "DROP TABLE IF EXISTS " + table,
        "CREATE TABLE "
            + table
            + " (id BIGINT NOT NULL PRIMARY KEY, counter BIGINT NOT NULL, note VARCHAR(64) NULL,"
            + " changed DATETIME(6) NULL)",
        "INSERT INTO "
            + table
            + " SELECT seq, 0, MD5(seq), '2026-01-01 00:00:00' FROM seq_1_to_"
            + ROWS);
  }

  private static VerifyResult verify(String source, String target) {
    return VerifyJob.builder()
        .source(db.config())
        .sourceTable(db.table(source))
        .targetTable(db.table(target))
        .chunkRows(2000)
        .build()
        .run();
  }

  /** Writers with exact bookkeeping of what the source acknowledged. */
  private static final class Writers implements AutoCloseable {
    final String table;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong increments = new AtomicLong();
    final AtomicLong inserts = new AtomicLong();
    final AtomicLong deletes = new AtomicLong();
    final AtomicLong keyChanges = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final List<Thread> threads = new ArrayList<>();

    Writers(String table) {
      this.table = table;
      List<Long> ids = new ArrayList<>();
      for (long id = 1; id <= ROWS; id++) {
        ids.add(id);
      }
      Collections.shuffle(ids, new Random(7));
      List<Long> toDelete = ids.subList(0, ROWS / 4);
      List<Long> toMove = ids.subList(ROWS / 4, ROWS / 2);
      // increments hit rows that are never deleted, so the sum of counters is exact
      List<Long> kept = List.copyOf(ids.subList(ROWS / 4, ROWS));
      for (int t = 0; t < 3; t++) {
        int seed = t;
        spawn(
            c -> {
              Random random = new Random(seed);
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE "
                          + table
                          + " SET counter = counter + 1, changed = NOW(6) WHERE id = ?")) {
                while (!stop.get()) {
                  ps.setLong(1, kept.get(random.nextInt(kept.size())));
                  increments.addAndGet(ps.executeUpdate());
                }
              }
            });
      }
      spawn(
          c -> {
            long next = 1_000_000;
            int deleted = 0;
            try (PreparedStatement insert =
                    c.prepareStatement(
                        "INSERT INTO " + table + " (id, counter, note) VALUES (?, 1, 'new')");
                PreparedStatement delete =
                    c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
              while (!stop.get()) {
                insert.setLong(1, next++);
                inserts.addAndGet(insert.executeUpdate());
                if (deleted < toDelete.size()) {
                  delete.setLong(1, toDelete.get(deleted++));
                  deletes.addAndGet(delete.executeUpdate());
                }
              }
            }
          });
      spawn(
          c -> {
            int moved = 0;
            try (PreparedStatement move =
                c.prepareStatement("UPDATE " + table + " SET id = id + ? WHERE id = ?")) {
              while (!stop.get() && moved < toMove.size()) {
                long id = toMove.get(moved++);
                // half move up (into chunks not copied yet), half down below every key
                move.setLong(1, moved % 2 == 0 ? 2_000_000 : -3_000_000);
                move.setLong(2, id);
                keyChanges.addAndGet(move.executeUpdate());
              }
            }
          });
    }

    interface Work {
      void run(Connection connection) throws SQLException;
    }

    private void spawn(Work work) {
      Thread thread =
          new Thread(
              () -> {
                try (Connection connection = Connections.open(db.config())) {
                  work.run(connection);
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "test-writer-" + threads.size());
      threads.add(thread);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(failure.get()).as("no writer statement failed").isNull();
    }
  }

  private static BinlogPosition currentPosition() throws SQLException {
    try (Connection connection = Connections.open(db.config())) {
      return BinlogPreconditions.currentPosition(connection, Dialects.detect(connection));
    }
  }

  private static CopyJob.Builder copyJob(String source, String target) {
    return CopyJob.builder()
        .source(db.config())
        .sourceTable(db.table(source))
        .targetTable(db.table(target))
        .workers(4)
        .chunkRows(500)
        .maxRowsPerSecond(8_000); // a few seconds of copy under the writers
  }

  @Test
  void followsLiveWritersThroughTheCopyAndStopsOnTheStopFile(@TempDir Path dir) throws Exception {
    createSource("follow_src");
    db.execute("CREATE TABLE follow_dst LIKE follow_src");
    Path stop = dir.resolve("stop");
    CountDownLatch caughtUp = new CountDownLatch(1);
    AtomicReference<Supplier<ApplyProgress>> progress = new AtomicReference<>();
    OnlineCopy copy =
        OnlineCopy.builder()
            .copy(copyJob("follow_src", "follow_dst"))
            .follow(true)
            .stopFile(stop)
            .build();
    CompletableFuture<OnlineCopyResult> running;
    BinlogPosition afterWriters;
    long expectedCounter;
    try (Writers writers = new Writers(db.schema() + ".follow_src")) {
      running =
          CompletableFuture.supplyAsync(
              () ->
                  copy.run(
                      new Cancellation(),
                      new OnlineCopyListener() {
                        @Override
                        public void applying(BinlogPosition start, Supplier<ApplyProgress> p) {
                          progress.set(p);
                        }

                        @Override
                        public void caughtUp(BinlogPosition position) {
                          caughtUp.countDown();
                        }
                      }));
      assertThat(caughtUp.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      Thread.sleep(1000); // and a while of following
      writers.close();
      expectedCounter = writers.increments.get() + writers.inserts.get();
      assertThat(writers.increments.get()).isPositive();
      assertThat(writers.deletes.get()).isPositive();
      assertThat(writers.keyChanges.get()).isPositive();
    }
    afterWriters = currentPosition();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (progress.get().get().applied().compareTo(afterWriters) < 0) {
      assertThat(System.nanoTime()).as("applier reaches the writers' end").isLessThan(deadline);
      Thread.sleep(50);
    }
    Files.createFile(stop);
    OnlineCopyResult result = running.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(result.followed()).isTrue();
    assertThat(result.consistentAt()).isGreaterThanOrEqualTo(afterWriters);
    assertThat(result.changesApplied()).isPositive();
    assertThat(db.queryLong("SELECT SUM(counter) FROM follow_src")).isEqualTo(expectedCounter);
    assertThat(db.queryLong("SELECT SUM(counter) FROM follow_dst")).isEqualTo(expectedCounter);
    VerifyResult verify = verify("follow_src", "follow_dst");
    assertThat(verify.differingKeys()).isEmpty();
    assertThat(verify.equal()).isTrue();
  }

  @Test
  void onlineCopyEndsConsistentWithThePositionItPrints() throws Exception {
    createSource("online_src");
    db.execute("CREATE TABLE online_dst LIKE online_src");
    AtomicReference<Writers> writers = new AtomicReference<>();
    OnlineCopyResult result;
    try (Writers running = new Writers(db.schema() + ".online_src")) {
      writers.set(running);
      result =
          OnlineCopy.builder()
              .copy(copyJob("online_src", "online_dst"))
              .build()
              .run(
                  new Cancellation(),
                  new OnlineCopyListener() {
                    @Override
                    public void frontierAdvanced(FrontierPosition position) {
                      if (position.lastRange() != null && position.lastRange().upper() == null) {
                        writers.get().stop.set(true); // the last chunk is in: writes end before
                      }
                    }
                  });
    }
    assertThat(result.followed()).isFalse();
    assertThat(result.changesApplied()).isPositive();
    assertThat(result.consistentAt()).isGreaterThan(result.startPosition());
    assertThat(verify("online_src", "online_dst").equal()).isTrue();
  }

  @Test
  void resumesAfterAnInterruptedRunFromBothCheckpoints() throws Exception {
    createSource("resume_src");
    db.execute("CREATE TABLE resume_dst LIKE resume_src");
    try (Writers writers = new Writers(db.schema() + ".resume_src")) {
      Cancellation cancellation = new Cancellation();
      CompletableFuture<OnlineCopyResult> first =
          CompletableFuture.supplyAsync(
              () ->
                  OnlineCopy.builder()
                      .copy(copyJob("resume_src", "resume_dst").maxRowsPerSecond(4_000))
                      .build()
                      .run(
                          cancellation,
                          new OnlineCopyListener() {
                            @Override
                            public void frontierAdvanced(FrontierPosition position) {
                              if (position.rowsCopied() > ROWS / 3) {
                                cancellation.cancel(new IllegalStateException("test stop"));
                              }
                            }
                          }));
      try {
        first.join();
        throw new AssertionError("the first run should have stopped");
      } catch (java.util.concurrent.CompletionException e) {
        assertThat(e.getCause()).isInstanceOf(DrayException.class);
      }
      assertThat(db.queryLong("SELECT COUNT(*) FROM resume_dst")).isLessThan(ROWS);
      Thread.sleep(500); // writes while nothing follows
      AtomicReference<Writers> self = new AtomicReference<>(writers);
      OnlineCopyResult second =
          OnlineCopy.builder()
              .copy(copyJob("resume_src", "resume_dst").maxRowsPerSecond(0).resume(true))
              .build()
              .run(
                  new Cancellation(),
                  new OnlineCopyListener() {
                    @Override
                    public void frontierAdvanced(FrontierPosition position) {
                      if (position.lastRange() != null && position.lastRange().upper() == null) {
                        self.get().stop.set(true);
                      }
                    }
                  });
      assertThat(second.copy().resumedFromSequence()).isGreaterThanOrEqualTo(0);
    }
    assertThat(verify("resume_src", "resume_dst").equal()).isTrue();
  }

  @Test
  void everyTypeFamilyIsValueIdenticalAfterCopyAndApply(@TempDir Path dir) throws Exception {
    db.execute(String.format(ChangeStreamTest.TYPES_TABLE, "types_src"));
    for (String row : ChangeStreamTest.TYPES_ROWS) {
      db.execute(String.format(row, "types_src")); // copied by the chunks
    }
    db.execute("CREATE TABLE types_dst LIKE types_src");
    Path stop = dir.resolve("stop");
    CountDownLatch caughtUp = new CountDownLatch(1);
    AtomicReference<Supplier<ApplyProgress>> progress = new AtomicReference<>();
    CompletableFuture<OnlineCopyResult> running =
        CompletableFuture.supplyAsync(
            () ->
                OnlineCopy.builder()
                    .copy(copyJob("types_src", "types_dst").maxRowsPerSecond(0))
                    .follow(true)
                    .stopFile(stop)
                    .build()
                    .run(
                        new Cancellation(),
                        new OnlineCopyListener() {
                          @Override
                          public void applying(BinlogPosition start, Supplier<ApplyProgress> p) {
                            progress.set(p);
                          }

                          @Override
                          public void caughtUp(BinlogPosition position) {
                            caughtUp.countDown();
                          }
                        }));
    assertThat(caughtUp.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    // through the change stream: key changes, the same values inserted again, updates, a delete
    db.execute("UPDATE types_src SET id = id + 100");
    for (String row : ChangeStreamTest.TYPES_ROWS) {
      db.execute(String.format(row, "types_src"));
    }
    db.execute(
        "UPDATE types_src SET u_big = 0, l1 = 'caf\u00e9', t = '838:59:59', dt = NULL WHERE id = 101",
        "DELETE FROM types_src WHERE id = 103");
    BinlogPosition end = currentPosition();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (progress.get().get().applied().compareTo(end) < 0) {
      assertThat(System.nanoTime()).as("applier reaches the end").isLessThan(deadline);
      Thread.sleep(50);
    }
    Files.createFile(stop);
    running.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(db.queryLong("SELECT COUNT(*) FROM types_dst")).isEqualTo(5);
    VerifyResult verify = verify("types_src", "types_dst");
    assertThat(verify.differingKeys()).isEmpty();
    assertThat(verify.equal()).isTrue();
  }

  @Test
  void refusesATargetWithRows() {
    createSource("full_src");
    db.execute(
        "CREATE TABLE full_dst LIKE full_src", "INSERT INTO full_dst VALUES (1, 0, 'x', NULL)");
    OnlineCopy copy = OnlineCopy.builder().copy(copyJob("full_src", "full_dst")).build();
    try {
      copy.run(new Cancellation(), OnlineCopyListener.NONE);
      throw new AssertionError("expected a refusal");
    } catch (DrayException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
      assertThat(e.getMessage()).contains("is not empty");
    }
  }
}
