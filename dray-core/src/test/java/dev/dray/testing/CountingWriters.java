package dev.dray.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.Connections;
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

/**
 * Writers with an exact invariant: threads increment the counters of rows 1..rows (never deleted),
 * one thread inserts and deletes rows above them; every write is counted only when the server
 * acknowledged it, and every statement's time is measured.
 */
public final class CountingWriters {
  public final AtomicLong writes = new AtomicLong();
  public final AtomicLong increments = new AtomicLong();
  public final AtomicLong longestMillis = new AtomicLong();
  public final Set<Long> present = new ConcurrentSkipListSet<>();
  public final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final TestDatabase db;
  private final String table;
  private final int rows;

  public CountingWriters(TestDatabase db, String table, int rows) {
    this.db = db;
    this.table = table;
    this.rows = rows;
  }

  public void start(int incrementers) {
    for (int i = 0; i < incrementers; i++) {
      int seed = i;
      threads.add(new Thread(() -> increment(seed), "test-increment-" + i));
    }
    threads.add(new Thread(this::insertAndDelete, "test-insert-delete"));
    threads.forEach(Thread::start);
  }

  public void awaitWrites(long count) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (writes.get() < count && failure.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  public void stop() throws InterruptedException {
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
  public void check(TestDatabase db, String table) {
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
