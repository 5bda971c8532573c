package dev.dray.load;

import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.load.spi.RowSink;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.SqlFragment;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import dev.dray.run.Worker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;

/**
 * One load worker: a source connection holding the job's snapshot and a DuckDB connection of its
 * own. Streams a task's rows (bounded memory) into the staging table through an appender, and
 * commits them together with the task's done-mark in one DuckDB transaction: a crash leaves either
 * both or neither.
 */
final class LoadWorker implements Worker<Task> {
  private static final int FETCH_SIZE = 4096;

  /** Rows between progress updates and cancellation checks. */
  private static final int CHECK_EVERY = 8192;

  /** What a finished task produced. */
  record Outcome(long rows, long zeroDates, int attempts) {}

  private final int index;
  private final Connection source;
  private final Dialect dialect;
  private final DuckDBConnection target;
  private final Map<String, LoadTable> tables;
  private final Cancellation cancellation;
  private final AtomicLong rowsLoaded;
  private final Map<Long, Outcome> outcomes;
  private final Runnable abort;
  private final DuckDbColumn.CellCounters counters = new DuckDbColumn.CellCounters();
  private long currentSequence = -1;
  private int attempts;

  LoadWorker(
      int index,
      Connection source,
      Dialect dialect,
      DuckDBConnection target,
      Map<String, LoadTable> tables,
      Cancellation cancellation,
      AtomicLong rowsLoaded,
      Map<Long, Outcome> outcomes) {
    this.index = index;
    this.source = source;
    this.dialect = dialect;
    this.target = target;
    this.tables = tables;
    this.cancellation = cancellation;
    this.rowsLoaded = rowsLoaded;
    this.outcomes = outcomes;
    this.abort =
        () -> {
          try {
            source.abort(Runnable::run);
          } catch (SQLException | RuntimeException e) {
            // the connection is going away anyway
          }
        };
    cancellation.onCancel(abort);
  }

  static String selectSql(Dialect dialect, LoadTable table, Task task, SqlFragment where) {
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(
                table.columns().stream()
                    .map(c -> c.selectExpression(dialect))
                    .collect(Collectors.joining(", ")))
            .append(" FROM ")
            .append(dialect.quote(task.table()));
    if (task.partition() != null) {
      sql.append(" PARTITION (").append(dialect.quote(task.partition().name())).append(')');
    }
    if (!task.range().isAll()) {
      sql.append(" WHERE ").append(where.sql());
    }
    return sql.toString();
  }

  @Override
  public void process(Task task) throws Exception {
    if (task.sequence() != currentSequence) {
      currentSequence = task.sequence();
      attempts = 0;
    }
    attempts++;
    long started = System.nanoTime();
    LoadTable table = tables.get(task.table().toString());
    SqlFragment where = KeyPredicates.range(dialect, table.keyColumns(), task.range());
    String sql = selectSql(dialect, table, task, where);
    target.setAutoCommit(false);
    beginTargetTransaction();
    counters.reset();
    long rows = 0;
    long reported = 0;
    try (PreparedStatement statement =
        source.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      statement.setFetchSize(FETCH_SIZE);
      if (!task.range().isAll()) {
        where.bind(statement, 1);
      }
      try (ResultSet rs = statement.executeQuery()) {
        List<DuckDbColumn> mapped = table.columns();
        RowSink appender =
            DriverAccess.shared()
                .openSink(
                    target,
                    DuckDbTarget.stagingName(table.targetTable()),
                    mapped.stream().map(DuckDbColumn::duckDbType).toList());
        try {
          int count = mapped.size();
          DuckDbColumn.CellCopier[] copiers = new DuckDbColumn.CellCopier[count];
          for (int i = 0; i < count; i++) {
            copiers[i] = mapped.get(i).copier();
          }
          BinaryRowCopier binary = BinaryRowCopier.forResult(rs, mapped);
          while (rs.next()) {
            if (binary != null) {
              binary.copy(rs, appender, counters);
            } else {
              for (int i = 0; i < count; i++) {
                copiers[i].copy(rs, i + 1, appender, counters);
              }
            }
            appender.endRow();
            rows++;
            if (rows % CHECK_EVERY == 0) {
              rowsLoaded.addAndGet(CHECK_EVERY);
              reported += CHECK_EVERY;
              if (cancellation.isCancelled()) {
                throw new CancellationException("cancelled");
              }
            }
          }
        } catch (SQLException | RuntimeException e) {
          appender.abandon();
          throw e;
        }
        appender.close();
      }
      try (PreparedStatement done = target.prepareStatement(DuckDbTarget.doneMarkSql())) {
        done.setLong(1, task.sequence());
        done.setInt(2, index);
        done.setLong(3, rows);
        done.setDouble(4, (System.nanoTime() - started) / 1e9);
        done.setInt(5, attempts - 1);
        done.setLong(6, counters.zeroDates());
        done.execute();
      }
      target.commit();
      rowsLoaded.addAndGet(rows - reported);
      outcomes.put(task.sequence(), new Outcome(rows, counters.zeroDates(), attempts));
    } catch (SQLException e) {
      rollback(reported, e);
      throw explainSourceFailure(e);
    } catch (Exception e) {
      rollback(reported, e);
      throw e;
    }
  }

  /**
   * The driver opens its transaction lazily, on the next statement; the appender is not a
   * statement, so without this its rows would commit on their own, ahead of the done-mark.
   */
  private void beginTargetTransaction() throws SQLException {
    try (Statement statement = target.createStatement()) {
      statement.execute("SELECT 1");
    }
  }

  private void rollback(long reported, Exception e) {
    rowsLoaded.addAndGet(-reported);
    try {
      target.rollback();
    } catch (SQLException rollbackFailure) {
      e.addSuppressed(rollbackFailure);
    }
  }

  /**
   * The driver reports a killed or dropped connection mid-stream as a vague streaming error; name
   * the real cause. Not retried: a new connection could not rejoin the job's snapshot.
   */
  private SQLException explainSourceFailure(SQLException e) {
    if (cancellation.isCancelled() || !(SqlErrors.isConnectionLost(e) || isClosed(source))) {
      return e;
    }
    String root = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        root = t.getMessage();
      }
    }
    return new SQLNonTransientConnectionException(
        "lost the source connection while reading ("
            + DuckDbTarget.firstLine(root)
            + "); the snapshot cannot be re-opened, run the load again",
        "08S01",
        e);
  }

  /** Without a round trip: after a fatal read error the driver has marked the connection closed. */
  private static boolean isClosed(Connection connection) {
    try {
      return connection.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  @Override
  public void close() throws SQLException {
    cancellation.removeOnCancel(abort);
    try {
      source.close();
    } finally {
      target.close();
    }
  }
}
