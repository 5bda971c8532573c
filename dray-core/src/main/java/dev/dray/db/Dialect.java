package dev.dray.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Everything that differs between database products, in one place. Chosen from a connection's
 * metadata by {@link Dialects#detect(Connection)}; the rest of dray never asks which product it
 * talks to.
 */
public interface Dialect {
  /** A short product name for messages: {@code MariaDB 11.4.5}. */
  String productName();

  /** Quotes an identifier so that any name (reserved words, dashes, unicode, quotes) is safe. */
  String quote(String identifier);

  default String quote(TableName table) {
    return quote(table.schema()) + "." + quote(table.table());
  }

  default String quotedList(List<String> identifiers) {
    return identifiers.stream().map(this::quote).collect(Collectors.joining(", "));
  }

  /**
   * The clause that takes shared row locks on a SELECT: {@code LOCK IN SHARE MODE} or {@code FOR
   * SHARE}.
   */
  String sharedLockClause();

  /** The clause that takes exclusive row locks and skips rows other transactions hold. */
  String skipLockedClause();

  /** Whether {@code SELECT ... PARTITION (p)} and information_schema partitions are available. */
  default boolean supportsPartitionSelection() {
    return true;
  }

  /**
   * Whether {@code INSERT ... RETURNING} is available (MariaDB 10.5+; MySQL has none): then a
   * multi-row {@code INSERT IGNORE} returns exactly the rows it inserted, with their generated ids.
   */
  default boolean supportsInsertReturning() {
    return false;
  }

  /**
   * Starts a repeatable-read transaction whose snapshot is taken now, on this connection. Every
   * later read in the transaction sees the database as it was at this point.
   */
  void beginConsistentSnapshot(Connection connection) throws SQLException;

  /**
   * Makes the session read and write TIMESTAMP values in UTC, so loaded values and key bounds do
   * not depend on the server's or the client's time zone.
   */
  void useUtcSessionTimeZone(Connection connection) throws SQLException;

  /** Blocks writes to the tables briefly (until {@link #unlockTables}) so snapshots line up. */
  void lockTablesForRead(Connection connection, List<TableName> tables) throws SQLException;

  void unlockTables(Connection connection) throws SQLException;

  /** The server's current Threads_running. */
  long threadsRunning(Connection connection) throws SQLException;

  // --- row checksums (verify): source and target must render the same row to the same hash ---

  /**
   * A column's value as text that does not depend on the declared width, so that a DATETIME(3)
   * value and the same value in a DATETIME(6) column, or 1.5 in DECIMAL(5,1) and DECIMAL(8,3), hash
   * alike. NULL stays NULL.
   */
  String checksumText(ColumnInfo column);

  /**
   * One row as text to hash: a flag per column that tells NULL from an empty string, then each
   * column's {@link #checksumText}, with a separator.
   */
  String checksumRowText(List<ColumnInfo> columns);

  /** The hash of a text as hexadecimal text (MD5): compared row by row to find differing keys. */
  String rowHash(String text);

  /** The hash of a text as an unsigned 64-bit integer (the first 64 bits of {@link #rowHash}). */
  String rowHash64(String text);

  /**
   * The SELECT list that fingerprints a range from its rows' {@link #rowHash64} values in column
   * {@code hash}: the row count, the SUM and the XOR of the hashes (0 for no rows), none of which
   * depends on row order.
   */
  String rowHashAggregates(String hash);

  /**
   * Replication lag of a replica in seconds, or -1 if it is not replicating. Needs REPLICA MONITOR
   * on MariaDB (REPLICATION CLIENT is not enough there) and REPLICATION CLIENT on MySQL.
   */
  long replicaLagSeconds(Connection connection) throws SQLException;

  /**
   * Takes a server-wide named lock for this connection without waiting; false if another connection
   * holds it. The lock ends with the connection, so a killed process never leaves it behind.
   */
  boolean tryNamedLock(Connection connection, String name) throws SQLException;

  /** Whether no connection holds the named lock (its holder, if any, is gone). */
  boolean isNamedLockFree(Connection connection, String name) throws SQLException;

  /** Releases a named lock this connection holds. */
  void releaseNamedLock(Connection connection, String name) throws SQLException;
}
