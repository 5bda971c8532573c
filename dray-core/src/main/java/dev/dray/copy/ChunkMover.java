package dev.dray.copy;

import dev.dray.plan.KeyRange;
import java.sql.SQLException;

/**
 * Moves one chunk's rows into the target inside the target connection's open transaction; the
 * caller commits (together with the checkpoint) or rolls back.
 */
interface ChunkMover extends AutoCloseable {
  /** Copies the rows of {@code range}; returns how many rows were inserted (duplicates skipped). */
  long move(KeyRange range) throws SQLException;

  @Override
  default void close() throws SQLException {}
}
