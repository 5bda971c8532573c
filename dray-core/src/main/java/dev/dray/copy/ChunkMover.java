package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.db.TableName;
import dev.dray.plan.KeyPredicates;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Moves one chunk's rows into the target inside the target connection's open transaction; the
 * caller commits (together with the checkpoint) or rolls back.
 *
 * <p>Writes are plain, strict INSERTs: a row the target refuses (a duplicate in a key the source
 * lacks, NULL into NOT NULL, a value its column cannot hold, a failed CHECK) fails the chunk
 * instead of being dropped or changed, and the rows the target took are counted against the rows
 * read from the source. The one duplicate that is expected is a chunk's own earlier copy: a chunk
 * above the checkpoint that committed before a crash, or an attempt whose commit succeeded but
 * whose connection broke before the answer. Then the chunk's key range is emptied in the target and
 * copied again, in the same transaction, so the count stays exact. (A copy starts only on an empty
 * target unless told to overwrite it, so rows in a chunk's range are this copy's own.)
 */
abstract class ChunkMover implements AutoCloseable {
  /** How many rows a chunk read from the source and how many the target took. */
  record Copied(long read, long written) {}

  final Connection target;
  final Dialect dialect;
  final List<String> keyColumns;
  private final String deletePrefix;
  private final boolean overwrite;

  /**
   * @param overwrite whether to empty every chunk's key range in the target before copying it (the
   *     target held rows of its own before the copy started)
   */
  ChunkMover(
      Connection target,
      Dialect dialect,
      TableName targetTable,
      List<String> keyColumns,
      boolean overwrite) {
    this.target = target;
    this.dialect = dialect;
    this.keyColumns = List.copyOf(keyColumns);
    this.deletePrefix = "DELETE FROM " + dialect.quote(targetTable) + " WHERE ";
    this.overwrite = overwrite;
  }

  /**
   * Copies the rows of {@code range}; returns how many were written, which is how many were read.
   *
   * @throws DrayException {@link ErrorCode#TASK_FAILED} when the target refused a row or took
   *     another number of rows than were read
   */
  final long move(KeyRange range) throws SQLException {
    if (overwrite) {
      deleteRange(range);
      return copyCounted(range);
    }
    try {
      return copyCounted(range);
    } catch (SQLException e) {
      if (!SqlErrors.isDuplicateKey(e)) {
        throw refused(e);
      }
      // maybe this chunk's own rows from an earlier run or attempt: empty the range and copy again;
      // a duplicate now is a real conflict
      target.rollback();
      deleteRange(range);
      try {
        return copyCounted(range);
      } catch (SQLException again) {
        throw refused(again);
      }
    }
  }

  private long copyCounted(KeyRange range) throws SQLException {
    Copied copied = copy(range);
    if (copied.read() != copied.written()) {
      throw new DrayException(
          ErrorCode.TASK_FAILED,
          "read "
              + copied.read()
              + " rows from the source but the target took "
              + copied.written()
              + "; nothing of this chunk was committed");
    }
    return copied.written();
  }

  /** Copies the range with plain INSERTs; counts what was read and what was written. */
  abstract Copied copy(KeyRange range) throws SQLException;

  private void deleteRange(KeyRange range) throws SQLException {
    SqlFragment where = KeyPredicates.range(dialect, keyColumns, range);
    try (PreparedStatement statement = target.prepareStatement(deletePrefix + where.sql())) {
      where.bind(statement, 1);
      statement.executeUpdate();
    }
  }

  /**
   * A row the target refused, as a failure that says why (not retried: the same row is refused
   * again); other errors (lock conflicts, lost connections) unchanged.
   */
  private static SQLException refused(SQLException e) {
    String reason = SqlErrors.refusedRowReason(e);
    if (reason == null) {
      return e;
    }
    throw new DrayException(
        ErrorCode.TASK_FAILED,
        "the target refused a row: "
            + SqlErrors.describe(e)
            + " ("
            + reason
            + "); nothing of this chunk was committed",
        e);
  }

  @Override
  public void close() throws SQLException {}
}
