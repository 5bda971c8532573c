package dev.dray.alter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.db.Connections;
import dev.dray.run.Cancellation;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link AlterJob} on a server with a binary log: a rename, a dropped and an added column under
 * live writers through the copy and the cut-over (every acknowledged write is in the new table, no
 * writer statement fails, the longest write is measured), and alters the rows cannot satisfy.
 */
class AlterJobTest {
  private static final int ROWS = 20_000;
  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = BinlogServer.newDatabase("alter");
  }

  @Test
  @Tag("slow")
  void renamesDropsAndAddsColumnsWhileWritersWriteThroughTheCutOver() throws Exception {
    db.execute(
        "CREATE TABLE live (id BIGINT NOT NULL PRIMARY KEY, counter BIGINT NOT NULL,"
            + " note VARCHAR(40) NULL, gone INT NULL)",
        "INSERT INTO live SELECT seq, 0, CONCAT('n', seq), seq FROM seq_1_to_" + ROWS);
    Writers writers = new Writers(db, "live", ROWS);
    writers.start(3);
    AlterResult result;
    try {
      writers.awaitWrites(200);
      result =
          AlterJob.builder()
              .source(db.config())
              .table(db.table("live"))
              .alter(
                  "CHANGE COLUMN note label VARCHAR(80) NULL, DROP COLUMN gone,"
                      + " ADD COLUMN extra INT NOT NULL DEFAULT 7")
              .workers(2)
              .chunkRows(500)
              .build()
              .run(new Cancellation(), AlterListener.NONE);
      long after = writers.writes.get();
      writers.awaitWrites(after + 200); // the writers go on into the new table
    } finally {
      writers.stop();
    }
    writers.check(db, "live");
    assertThat(result.cutOverAttempts()).isGreaterThanOrEqualTo(1);
    assertThat(result.oldTable()).isEqualTo(db.schema() + "._live_old");
    assertThat(db.queryLong("SELECT COUNT(*) FROM live WHERE label <> CONCAT('n', id)")).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM live WHERE id <= " + ROWS + " AND label IS NULL"))
        .isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM live WHERE extra <> 7")).isZero();
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '"
                    + db.schema()
                    + "' AND TABLE_NAME = 'live' AND COLUMN_NAME IN ('gone', 'note')"))
        .isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM _live_old")).isPositive();
    System.out.printf(
        "alter under writers: %d writes, cut-over blocked writes %d ms, longest write %d ms%n",
        writers.writes.get(), result.writesBlockedMillis(), writers.longestMillis.get());
  }

  @Test
  void aUniqueKeyOverDuplicatesFailsNamingTheValueAndLeavesTheTable() {
    db.execute(
        "CREATE TABLE people (id INT NOT NULL PRIMARY KEY, email VARCHAR(64) NULL)",
        "INSERT INTO people SELECT seq, CONCAT('p', seq, '@x') FROM seq_1_to_3000",
        "UPDATE people SET email = 'twice@x' WHERE id IN (1234, 2345)");
    String before = showCreate("people");
    assertThatThrownBy(() -> alter("people", "ADD UNIQUE KEY uq_email (email)"))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("twice@x")
        .hasMessageContaining("uq_email")
        .hasMessageContaining("is unchanged");
    assertThat(showCreate("people")).isEqualTo(before);
    assertThat(db.queryLong("SELECT COUNT(*) FROM people")).isEqualTo(3000);
    assertThat(tableExists("_people_new")).isFalse();
  }

  @Test
  void aNarrowerTypeFailsNamingTheColumnAndLeavesTheTable() {
    db.execute(
        "CREATE TABLE words (id INT NOT NULL PRIMARY KEY, word VARCHAR(20) NOT NULL)",
        "INSERT INTO words SELECT seq, 'abc' FROM seq_1_to_2000",
        "UPDATE words SET word = 'much too long' WHERE id = 1500");
    String before = showCreate("words");
    assertThatThrownBy(() -> alter("words", "MODIFY word VARCHAR(3) NOT NULL"))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("'word'")
        .hasMessageContaining("words is unchanged");
    assertThat(showCreate("words")).isEqualTo(before);
    assertThat(tableExists("_words_new")).isFalse();
  }

  @Test
  void dropsTheOldTableWhenAsked() {
    db.execute(
        "CREATE TABLE small (id INT NOT NULL PRIMARY KEY, v INT NULL)",
        "INSERT INTO small SELECT seq, seq FROM seq_1_to_100");
    AlterResult result =
        AlterJob.builder()
            .source(db.config())
            .table(db.table("small"))
            .alter("ADD INDEX by_v (v)")
            .dropOldTable(true)
            .build()
            .run(new Cancellation(), AlterListener.NONE);
    assertThat(result.oldTable()).isNull();
    assertThat(tableExists("_small_old")).isFalse();
    assertThat(db.queryLong("SELECT SUM(v) FROM small")).isEqualTo(5050);
    assertThat(showCreate("small")).contains("by_v");
  }

  private static AlterResult alter(String table, String spec) {
    return AlterJob.builder()
        .source(db.config())
        .table(db.table(table))
        .alter(spec)
        .chunkRows(250)
        .build()
        .run(new Cancellation(), AlterListener.NONE);
  }

  static String showCreate(String table) {
    return String.valueOf(db.query("SHOW CREATE TABLE " + table).get(0).get(1));
  }

  static boolean tableExists(String table) {
    return db.queryLong(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                + db.schema()
                + "' AND TABLE_NAME = '"
                + table
                + "'")
        > 0;
  }

  /**
   * Writers with an exact invariant: threads increment the counters of rows 1..rows (never
   * deleted), one thread inserts and deletes rows above them; every write is counted only when the
   * server acknowledged it, and every statement's time is measured.
   */
  static final class Writers {
    final AtomicLong writes = new AtomicLong();
    final AtomicLong increments = new AtomicLong();
    final AtomicLong longestMillis = new AtomicLong();
    final Set<Long> present = new ConcurrentSkipListSet<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final TestDatabase db;
    private final String table;
    private final int rows;

    Writers(TestDatabase db, String table, int rows) {
      this.db = db;
      this.table = table;
      this.rows = rows;
    }

    void start(int incrementers) {
      for (int i = 0; i < incrementers; i++) {
        int seed = i;
        threads.add(new Thread(() -> increment(seed), "test-increment-" + i));
      }
      threads.add(new Thread(this::insertAndDelete, "test-insert-delete"));
      threads.forEach(Thread::start);
    }

    void awaitWrites(long count) throws InterruptedException {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (writes.get() < count && failure.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    void stop() throws InterruptedException {
      stop.set(true);
      for (Thread thread : threads) {
        thread.join();
      }
    }

    private void increment(int seed) {
      Random random = new Random(seed);
      try (Connection connection = Connections.open(db.config());
          PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE " + table + " SET counter = counter + 1 WHERE id = ?")) {
        while (!stop.get()) {
          update.setLong(1, 1 + random.nextInt(rows));
          long started = System.nanoTime();
          int changed = update.executeUpdate();
          timed(started);
          if (changed != 1) {
            throw new AssertionError("an increment changed " + changed + " rows");
          }
          increments.incrementAndGet();
          writes.incrementAndGet();
          Thread.sleep(1);
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }

    private void insertAndDelete() {
      Random random = new Random(99);
      long next = 1_000_000;
      try (Connection connection = Connections.open(db.config());
          PreparedStatement insert =
              connection.prepareStatement("INSERT INTO " + table + " (id, counter) VALUES (?, 0)");
          PreparedStatement delete =
              connection.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
        while (!stop.get()) {
          long started = System.nanoTime();
          if (present.isEmpty() || random.nextInt(3) > 0) {
            insert.setLong(1, next);
            insert.executeUpdate();
            timed(started);
            present.add(next++);
          } else {
            long victim = new ArrayList<>(present).get(random.nextInt(present.size()));
            delete.setLong(1, victim);
            int deleted = delete.executeUpdate();
            timed(started);
            if (deleted != 1) {
              throw new AssertionError("a delete removed " + deleted + " rows");
            }
            present.remove(victim);
          }
          writes.incrementAndGet();
          Thread.sleep(2);
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }

    private void timed(long startedNanos) {
      longestMillis.accumulateAndGet((System.nanoTime() - startedNanos) / 1_000_000, Math::max);
    }

    /** No writer failed; the table holds every acknowledged write and nothing else. */
    void check(TestDatabase db, String table) {
      assertThat(failure.get()).as("a writer statement failed").isNull();
      assertThat(db.queryLong("SELECT SUM(counter) FROM " + table + " WHERE id <= " + rows))
          .isEqualTo(increments.get());
      assertThat(db.queryLong("SELECT COUNT(*) FROM " + table + " WHERE id <= " + rows))
          .isEqualTo(rows);
      Set<Long> stored = new TreeSet<>();
      for (List<Object> row : db.query("SELECT id FROM " + table + " WHERE id > " + rows)) {
        stored.add(((Number) row.get(0)).longValue());
      }
      assertThat(stored).isEqualTo(new TreeSet<>(present));
    }
  }
}
