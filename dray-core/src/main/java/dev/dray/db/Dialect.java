package dev.dray.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
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

  /**
   * The current values of these global status variables (names as the server spells them, matched
   * case-insensitively); a name the server does not know is missing from the map.
   */
  java.util.Map<String, Long> globalStatus(
      Connection connection, java.util.Collection<String> names) throws SQLException;

  /**
   * A SQL literal of a {@code column} value: {@code NULL}; a number as it is; binary values (a
   * {@code byte[]}) in hex; other text quoted, or in hex converted to utf8mb4 when it holds a
   * backslash, a quote or a control character (correct whatever the session's SQL mode).
   */
  String literal(ColumnInfo column, Object value);

  /** Whether {@link #literal} wants this column's values as bytes (binary types), not as text. */
  boolean readsAsBytes(ColumnInfo column);

  /**
   * The select expression whose value {@link #literal} turns into SQL: the column itself, or for a
   * TIMESTAMP its seconds since the epoch (so the literal means the same instant in any zone).
   */
  String literalSource(ColumnInfo column);

  /** {@code REPLACE INTO table (columns) VALUES (literals)}: a statement to print, not to run. */
  String replaceRowText(TableName table, List<String> columns, List<String> literals);

  /** {@code DELETE FROM table WHERE key = literal AND ...}: a statement to print, not to run. */
  String deleteRowText(TableName table, List<String> keyColumns, List<String> literals);

  /** Creates {@code table} with the definition of {@code like} on the same server. */
  void createTableLike(Connection connection, TableName table, TableName like) throws SQLException;

  /** The {@code CREATE TABLE} statement of {@code table}, as the server prints it. */
  String showCreateTable(Connection connection, TableName table) throws SQLException;

  /**
   * Creates {@code table} from another table's {@code CREATE TABLE} statement (as {@link
   * #showCreateTable} printed it on any server): the statement with its name replaced.
   */
  void createTableFrom(Connection connection, TableName table, String createStatement)
      throws SQLException;

  // --- safe writes (copy): what the target enforces, and sessions that fail instead of changing
  // ---

  /**
   * Makes the session's writes strict: a value the target cannot hold (too long, out of range, a
   * character its character set lacks, NULL into NOT NULL, a failed CHECK) is an error instead of a
   * warning and a changed value, and an explicit 0 in an AUTO_INCREMENT column stays 0.
   */
  void useStrictWrites(Connection connection) throws SQLException;

  /** The table's unique keys, CHECK constraints and text columns' character sets. */
  TableConstraints constraints(Connection connection, TableName table) throws SQLException;

  // --- advisory locks (one run per job): held by a session, released when it ends ---

  /** The longest name {@link #tryAdvisoryLock} accepts. */
  default int maxAdvisoryLockNameLength() {
    return 64;
  }

  /**
   * Takes the server-wide named lock for this session without waiting; false if another session
   * holds it. The server releases it when the session ends, however it ends.
   */
  boolean tryAdvisoryLock(Connection connection, String name) throws SQLException;

  /** Whether this session holds the named lock. */
  boolean holdsAdvisoryLock(Connection connection, String name) throws SQLException;

  /**
   * Who holds the named lock, as {@code connection 42 from host:port as user} (the host and user
   * only when this session may see the other's process list entry), or empty when it is free.
   */
  java.util.Optional<String> advisoryLockHolder(Connection connection, String name)
      throws SQLException;

  void releaseAdvisoryLock(Connection connection, String name) throws SQLException;

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

  // --- binary log: the change stream of online copy and follow ---

  /** log_bin, binlog_format and binlog_row_image as the server reports them. */
  BinlogSettings binlogSettings(Connection connection) throws SQLException;

  /**
   * The position after the last event the server has written, with the GTID state at that very
   * point where the product can tell it; empty when the binary log is off.
   */
  Optional<BinlogPosition> currentBinlogPosition(Connection connection) throws SQLException;

  /** The binary log files the server still has, oldest first. */
  List<String> binaryLogFiles(Connection connection) throws SQLException;

  /**
   * The global grants, by this product's names, that the connected user lacks for reading the
   * binary log as a replica (for example REPLICATION SLAVE, BINLOG MONITOR); empty when none.
   */
  List<String> missingBinlogGrants(Connection connection) throws SQLException;

  /**
   * A statement that writes {@code rows} full rows, replacing any row with the same key: {@code
   * REPLACE INTO t (cols) VALUES (?, ...), ...}. A change's row image always wins over what the
   * table holds.
   */
  String replaceRowsStatement(TableName table, List<String> columns, int rows);

  /**
   * A statement that deletes {@code rows} rows by key: {@code DELETE FROM t WHERE (k) IN (...)}.
   */
  String deleteRowsStatement(TableName table, List<String> keyColumns, int rows);

  /**
   * The table options of dray's own bookkeeping tables: {@code ENGINE=InnoDB DEFAULT
   * CHARSET=utf8mb4}.
   */
  String tableOptions();

  /** The current time with microseconds, as an SQL expression: {@code NOW(6)}. */
  String currentTimestamp();

  /** {@code now + ? microseconds}, as an SQL expression with one parameter (the microseconds). */
  String currentTimestampPlusMicros();

  /**
   * The start of an insert that skips rows whose key exists already: {@code INSERT IGNORE INTO}.
   */
  String insertSkippingDuplicatesInto();

  /** The start of an insert that replaces a row with the same key: {@code REPLACE INTO}. */
  String insertOrReplaceInto();

  /** A text that is equal for two connections exactly when they reach the same server. */
  String serverIdentity(Connection connection) throws SQLException;

  /**
   * Makes the session store an explicit 0 in an AUTO_INCREMENT column as 0 (a row image's value),
   * not as a request for a new value.
   */
  void keepExplicitZeroAutoIncrement(Connection connection) throws SQLException;

  /**
   * Runs {@code insert} into an empty table in one transaction with the session's unique and
   * foreign-key checks off (MariaDB 10.6+ then builds the table's indexes in bulk) and restores the
   * session's previous settings afterwards, also when the insert fails (then it is rolled back).
   * Returns the rows inserted.
   */
  long insertIntoEmptyTable(Connection connection, String insert) throws SQLException;

  /**
   * Whether a statement read from the binary log changes the definition of {@code table} (ALTER,
   * TRUNCATE, DROP, RENAME, partition changes), given the database the statement ran in.
   */
  boolean changesTableDefinition(String statement, String database, TableName table);
}
