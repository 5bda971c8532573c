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

  /**
   * Replication lag of a replica in seconds, or -1 if it is not replicating. Needs REPLICA MONITOR
   * on MariaDB (REPLICATION CLIENT is not enough there) and REPLICATION CLIENT on MySQL.
   */
  long replicaLagSeconds(Connection connection) throws SQLException;
}
