package dev.dray.load;

import dev.dray.db.Dialect;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.SqlFragment;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import dev.dray.run.Worker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * One load worker: a source connection holding the job's snapshot and a DuckDB connection of its
 * own. Streams a task's rows (bounded memory) into the staging table through an appender, and
 * commits them in one DuckDB transaction per task.
 */
final class LoadWorker implements Worker<Task> {
  private static final int FETCH_SIZE = 4096;

  private final Connection source;
  private final Dialect dialect;
  private final DuckDBConnection target;
  private final Map<String, LoadTable> tables;
  private final Cancellation cancellation;
  private final AtomicLong rowsLoaded;
  private final Runnable abort;
  private final Map<Long, Long> taskRows;

  LoadWorker(
      Connection source,
      Dialect dialect,
      DuckDBConnection target,
      Map<String, LoadTable> tables,
      Cancellation cancellation,
      AtomicLong rowsLoaded,
      Map<Long, Long> taskRows) {
    this.source = source;
    this.dialect = dialect;
    this.target = target;
    this.tables = tables;
    this.cancellation = cancellation;
    this.rowsLoaded = rowsLoaded;
    this.taskRows = taskRows;
    this.abort =
        () -> {
          try {
            source.abort(Runnable::run);
          } catch (SQLException e) {
            // the connection is going away anyway
          }
        };
    cancellation.onCancel(abort);
  }

  @Override
  public void process(Task task) throws Exception {
    LoadTable table = tables.get(task.table().toString());
    List<String> columns = table.columns().stream().map(c -> c.source().name()).toList();
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(dialect.quotedList(columns))
            .append(" FROM ")
            .append(dialect.quote(task.table()));
    if (task.partition() != null) {
      sql.append(" PARTITION (").append(dialect.quote(task.partition().name())).append(')');
    }
    SqlFragment where = KeyPredicates.range(dialect, table.keyColumns(), task.range());
    if (!task.range().isAll()) {
      sql.append(" WHERE ").append(where.sql());
    }
    target.setAutoCommit(false);
    long rows = 0;
    try (PreparedStatement statement =
        source.prepareStatement(
            sql.toString(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
      statement.setFetchSize(FETCH_SIZE);
      if (!task.range().isAll()) {
        where.bind(statement, 1);
      }
      try (ResultSet rs = statement.executeQuery();
          DuckDBAppender appender =
              target.createAppender(
                  DuckDBConnection.DEFAULT_SCHEMA, DuckDbTarget.stagingName(table.targetTable()))) {
        List<DuckDbColumn> mapped = table.columns();
        int count = mapped.size();
        while (rs.next()) {
          appender.beginRow();
          for (int i = 0; i < count; i++) {
            mapped.get(i).copier().copy(rs, i + 1, appender);
          }
          appender.endRow();
          rows++;
          if ((rows & 0x3FFF) == 0) {
            rowsLoaded.addAndGet(0x4000);
            if (cancellation.isCancelled()) {
              throw new java.util.concurrent.CancellationException("cancelled");
            }
          }
        }
        appender.flush();
      }
      target.commit();
      rowsLoaded.addAndGet(rows & 0x3FFF);
      taskRows.put(task.sequence(), rows);
    } catch (Exception e) {
      rowsLoaded.addAndGet(-(rows & ~0x3FFFL));
      try {
        target.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    cancellation.removeOnCancel(abort);
    try {
      source.close();
    } finally {
      target.close();
    }
  }
}
