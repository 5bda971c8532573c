package dev.dray.bench.follow;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * W5's writer on the orders-like table ({@code id BIGINT PRIMARY KEY, customer, status, amount,
 * created, note}): a third inserts of new ids, a third updates of non-key columns, a third deletes
 * of earlier ids, {@code perTransaction} changes per transaction, paced to a rate.
 */
final class W5Writer {
  /** Told after each commit: the transaction's GTID sequence (MariaDB) and when it committed. */
  @FunctionalInterface
  interface Committed {
    void committed(long gtidSequence, long nanoTime);
  }

  private final ConnectionConfig config;
  private final AtomicLong nextId;

  W5Writer(ConnectionConfig config, long firstNewId) {
    this.config = config;
    this.nextId = new AtomicLong(firstNewId);
  }

  /**
   * Writes {@code changes} changes at about {@code rate} per second (Integer.MAX_VALUE: as fast as
   * the server takes) from {@code threads} threads; returns the changes written.
   */
  long write(long changes, int rate, int threads, int perTransaction, Committed committed)
      throws Exception {
    AtomicLong done = new AtomicLong();
    long started = System.nanoTime();
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      writers.add(
          CompletableFuture.runAsync(
              () -> {
                try (Connection c = Connections.open(config);
                    Statement s = c.createStatement()) {
                  c.setAutoCommit(false);
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (done.get() < changes) {
                    for (int i = 0; i < perTransaction; i++) {
                      long id = nextId.getAndIncrement();
                      switch ((int) (id % 3)) {
                        case 0 ->
                            s.addBatch(
                                "INSERT INTO orders VALUES ("
                                    + id
                                    + ", 1, 'new', 9.99, NOW(), 'inserted')");
                        case 1 ->
                            s.addBatch(
                                "UPDATE orders SET status = 'paid', amount = amount + 1 WHERE id = "
                                    + random.nextLong(1, id));
                        default ->
                            s.addBatch("DELETE FROM orders WHERE id = " + random.nextLong(1, id));
                      }
                    }
                    s.executeBatch();
                    c.commit();
                    long at = System.nanoTime();
                    if (committed != null) {
                      try (ResultSet rs = s.executeQuery("SELECT @@last_gtid")) {
                        rs.next();
                        committed.committed(sequence(rs.getString(1)), at);
                      }
                    }
                    long total = done.addAndGet(perTransaction);
                    if (rate != Integer.MAX_VALUE) {
                      long wait = started + (long) (total * 1e9 / rate) - System.nanoTime();
                      if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                      }
                    }
                  }
                } catch (SQLException | InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get();
    return done.get();
  }

  /** The sequence number of a MariaDB GTID {@code domain-server-sequence} (domain 0), or -1. */
  static long sequence(String gtid) {
    if (gtid == null) {
      return -1;
    }
    for (String part : gtid.split(",")) {
      String[] fields = part.trim().split("-");
      if (fields.length == 3 && fields[0].equals("0")) {
        return Long.parseLong(fields[2]);
      }
    }
    return -1;
  }
}
