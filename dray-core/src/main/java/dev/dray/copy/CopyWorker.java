package dev.dray.copy;

import dev.dray.db.ConnectionConfig;
import dev.dray.plan.Task;
import dev.dray.run.Worker;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * One copy worker: owns a target connection (and a source connection when streaming). Each chunk is
 * one target transaction holding the chunk's rows and, when the chunk moves the frontier, the
 * checkpoint update; throttling is honoured before each chunk.
 */
final class CopyWorker implements Worker<Task> {
  private final CopyRun run;
  private Connection source;
  private Connection target;
  private ChunkMover mover;
  private final Runnable abort = this::abortConnections;

  CopyWorker(CopyRun run) throws SQLException {
    this.run = run;
    connect();
    run.cancellation.onCancel(abort);
  }

  private void connect() throws SQLException {
    target = open(run.settings.target());
    run.dialect.useStrictWrites(target);
    target.setAutoCommit(false);
    boolean overwrite = run.settings.overwriteTarget();
    if (run.mode == CopyMode.STREAMING) {
      source = open(run.settings.source());
      mover =
          new StreamingMover(
              source,
              target,
              run.dialect,
              run.sourceInfo,
              run.settings.targetTable(),
              run.columns,
              overwrite);
    } else {
      mover =
          new ServerSideMover(
              target,
              run.dialect,
              run.settings.sourceTable(),
              run.settings.targetTable(),
              run.columns,
              overwrite);
    }
  }

  private Connection open(ConnectionConfig config) throws SQLException {
    return SessionConnections.open(
        config, run.settings.lockWaitTimeout(), run.mode == CopyMode.STREAMING);
  }

  @Override
  public void process(Task chunk) throws Exception {
    run.throttler.awaitClear(run.cancellation);
    if (run.cancellation.isCancelled()) {
      return;
    }
    long started = System.nanoTime();
    long rows;
    try {
      rows = mover.move(chunk.range());
      Optional<FrontierPosition> position =
          checkpointDue()
              ? run.tracker.preview(chunk.sequence(), chunk.range(), rows)
              : Optional.empty();
      if (position.isPresent()) {
        run.checkpoints.advance(target, position.get(), run.sizer.chunkRows());
      }
      target.commit();
      if (position.isPresent()) {
        run.lastCheckpointNanos.set(System.nanoTime());
        run.lastStoredSequence.accumulateAndGet(position.get().sequence(), Math::max);
      }
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
    run.tracker.complete(chunk.sequence(), chunk.range(), rows);
    run.rowsCopied.addAndGet(rows);
    run.chunksDone.incrementAndGet();
    run.throttler.recordRows(rows);
    run.sizer.record(chunk.estimatedRows(), System.nanoTime() - started);
  }

  private boolean checkpointDue() {
    return System.nanoTime() - run.lastCheckpointNanos.get()
        >= run.settings.checkpointInterval().toNanos();
  }

  @Override
  public void recover(Exception failure) throws Exception {
    run.retries.incrementAndGet();
    closeConnections();
    connect();
  }

  private void rollbackQuietly() {
    try {
      if (target != null && !target.isClosed()) {
        target.rollback();
      }
    } catch (SQLException e) {
      // the connection is broken; recover() replaces it
    }
  }

  private void abortConnections() {
    // cut a long statement short when another worker failed; the open transaction rolls back
    for (Connection connection : new Connection[] {source, target}) {
      if (connection != null) {
        try {
          connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
          // already closed
        }
      }
    }
  }

  private void closeConnections() {
    try {
      if (mover != null) {
        mover.close();
      }
    } catch (SQLException e) {
      // closing a broken connection's statement
    }
    for (Connection connection : new Connection[] {source, target}) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          // already broken
        }
      }
    }
    source = null;
    target = null;
  }

  @Override
  public void close() {
    run.cancellation.removeOnCancel(abort);
    rollbackQuietly();
    closeConnections();
  }
}
