package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import dev.dray.plan.KeyRange;
import dev.dray.plan.KeysetBoundaries;
import dev.dray.plan.Task;
import dev.dray.run.BoundedTaskSource;
import dev.dray.run.Cancellation;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Walks the source key ahead of the workers on its own connection, numbering each chunk with a
 * monotone sequence at dispatch. The chunk size is read before every boundary query, so adaptive
 * sizing takes effect within a few chunks (the queue between producer and workers is short).
 */
final class ChunkProducer {
  private final ConnectionConfig source;
  private final Dialect dialect;
  private final TableName table;
  private final List<String> keyColumns;
  private final LongSupplier chunkRows;
  private final Cancellation cancellation;
  private final AtomicLong planned = new AtomicLong();
  private Thread thread;

  ChunkProducer(
      ConnectionConfig source,
      Dialect dialect,
      TableName table,
      List<String> keyColumns,
      LongSupplier chunkRows,
      Cancellation cancellation) {
    this.source = source;
    this.dialect = dialect;
    this.table = table;
    this.keyColumns = keyColumns;
    this.chunkRows = chunkRows;
    this.cancellation = cancellation;
  }

  /**
   * Starts producing the chunks of {@code remaining} into {@code tasks}, numbered from {@code
   * firstSequence}.
   */
  void start(String name, KeyRange remaining, long firstSequence, BoundedTaskSource<Task> tasks) {
    thread =
        new Thread(() -> produce(remaining, firstSequence, tasks), "dray-" + name + "-producer");
    thread.setDaemon(true);
    thread.start();
  }

  private void produce(KeyRange remaining, long firstSequence, BoundedTaskSource<Task> tasks) {
    try (Connection connection = Connections.open(source)) {
      KeysetBoundaries boundaries =
          new KeysetBoundaries(
              connection, dialect, table, null, keyColumns, chunkRows.getAsLong(), remaining);
      long sequence = firstSequence;
      while (boundaries.hasNext() && !cancellation.isCancelled()) {
        long rows = chunkRows.getAsLong();
        boundaries.setChunkRows(rows);
        KeyRange range = boundaries.next();
        planned.incrementAndGet();
        if (!tasks.put(new Task(sequence++, table, null, range, rows))) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException | RuntimeException e) {
      cancellation.cancel(
          e instanceof DrayException dray
              ? dray
              : new DrayException(
                  ErrorCode.TASK_FAILED,
                  "finding the chunks of " + table + " failed: " + SqlErrors.describe(e),
                  e));
    } finally {
      tasks.finish();
    }
  }

  /** Chunks handed to the workers so far. */
  long planned() {
    return planned.get();
  }

  void join() {
    if (thread == null) {
      return;
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
