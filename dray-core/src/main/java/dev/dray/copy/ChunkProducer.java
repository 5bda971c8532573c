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
import dev.dray.run.RetryPolicy;
import dev.dray.run.Sleeper;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks the source key ahead of the workers on its own connection, numbering each chunk with a
 * monotone sequence at dispatch. The chunk size is read before every boundary query, so adaptive
 * sizing takes effect within a few chunks (the queue between producer and workers is short). A lost
 * connection (or a lock conflict) is retried like a worker's: the producer reconnects and walks on
 * from the last boundary it handed out.
 */
final class ChunkProducer {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkProducer.class);

  private final ConnectionConfig source;
  private final Dialect dialect;
  private final TableName table;
  private final List<String> keyColumns;
  private final LongSupplier chunkRows;
  private final Cancellation cancellation;
  private final RetryPolicy retryPolicy;
  private final Sleeper sleeper;
  private final AtomicLong planned = new AtomicLong();
  private Thread thread;

  ChunkProducer(
      ConnectionConfig source,
      Dialect dialect,
      TableName table,
      List<String> keyColumns,
      LongSupplier chunkRows,
      Cancellation cancellation,
      RetryPolicy retryPolicy,
      Sleeper sleeper) {
    this.source = source;
    this.dialect = dialect;
    this.table = table;
    this.keyColumns = keyColumns;
    this.chunkRows = chunkRows;
    this.cancellation = cancellation;
    this.retryPolicy = retryPolicy;
    this.sleeper = sleeper;
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
    long sequence = firstSequence;
    KeyRange left = remaining;
    try {
      for (int attempt = 1; ; attempt++) {
        try (Connection connection = Connections.open(source)) {
          KeysetBoundaries boundaries =
              new KeysetBoundaries(
                  connection, dialect, table, null, keyColumns, chunkRows.getAsLong(), left);
          while (boundaries.hasNext() && !cancellation.isCancelled()) {
            long rows = chunkRows.getAsLong();
            boundaries.setChunkRows(rows);
            KeyRange range = boundaries.next();
            attempt = 1; // a boundary found: the next failure starts counting afresh
            planned.incrementAndGet();
            if (!tasks.put(new Task(sequence++, table, null, range, rows))) {
              return;
            }
            if (range.upper() == null) {
              return;
            }
            left = new KeyRange(range.upper(), remaining.upper());
          }
          return;
        } catch (SQLException | RuntimeException e) {
          if (cancellation.isCancelled() || !retryPolicy.shouldRetry(e, attempt)) {
            throw e;
          }
          LOG.warn(
              "finding the chunks of {} failed (attempt {}), reconnecting: {}",
              table,
              attempt,
              SqlErrors.describe(e));
          sleeper.sleep(retryPolicy.backoff(attempt));
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
