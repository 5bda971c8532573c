package dev.dray.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * What MariaDB and MySQL have in common: backtick quoting, LOCK TABLES, SHOW STATUS, MD5 row
 * checksums.
 */
abstract class MySqlFamilyDialect implements Dialect {
  private final String productName;

  MySqlFamilyDialect(String productName) {
    this.productName = productName;
  }

  @Override
  public String productName() {
    return productName;
  }

  @Override
  public String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  @Override
  public String skipLockedClause() {
    return "FOR UPDATE SKIP LOCKED";
  }

  @Override
  public void beginConsistentSnapshot(Connection connection) throws SQLException {
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      statement.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    }
  }

  @Override
  public void useUtcSessionTimeZone(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET time_zone = '+00:00'");
    }
  }

  @Override
  public void lockTablesForRead(Connection connection, List<TableName> tables) throws SQLException {
    String list = tables.stream().map(t -> quote(t) + " READ").collect(Collectors.joining(", "));
    try (Statement statement = connection.createStatement()) {
      statement.execute("LOCK TABLES " + list);
    }
  }

  @Override
  public void unlockTables(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("UNLOCK TABLES");
    }
  }

  @Override
  public String checksumText(ColumnInfo column) {
    String quoted = quote(column.name());
    return switch (column.dataType()) {
      case "datetime", "timestamp" -> "DATE_FORMAT(" + quoted + ", '%Y-%m-%d %H:%i:%s.%f')";
      case "time" -> "TIME_FORMAT(" + quoted + ", '%H:%i:%s.%f')";
      case "decimal" -> "CAST(" + quoted + " AS DECIMAL(65, 30))";
      default -> quoted;
    };
  }

  /** {@code CONCAT_WS('|', CONCAT(ISNULL(a), ISNULL(b)), a, b)}: CONCAT_WS skips NULLs. */
  @Override
  public String checksumRowText(List<ColumnInfo> columns) {
    StringJoiner flags = new StringJoiner(", ", "CONCAT(", ")");
    StringBuilder values = new StringBuilder();
    for (ColumnInfo column : columns) {
      flags.add("ISNULL(" + quote(column.name()) + ")");
      values.append(", ").append(checksumText(column));
    }
    return "CONCAT_WS('|', " + flags + values + ")";
  }

  @Override
  public String rowHash(String text) {
    return "MD5(" + text + ")";
  }

  @Override
  public String rowHash64(String text) {
    return "CAST(CONV(LEFT(" + rowHash(text) + ", 16), 16, 10) AS UNSIGNED)";
  }

  @Override
  public String rowHashAggregates(String hash) {
    return "COUNT(*), COALESCE(SUM(" + hash + "), 0), COALESCE(BIT_XOR(" + hash + "), 0)";
  }

  @Override
  public long threadsRunning(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_running'")) {
      return rs.next() ? Long.parseLong(rs.getString(2)) : 0;
    }
  }

  @Override
  public long replicaLagSeconds(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(replicaStatusStatement())) {
      if (!rs.next()) {
        return -1;
      }
      String lag = rs.getString(replicaLagColumn());
      return lag == null ? -1 : Long.parseLong(lag);
    }
  }

  abstract String replicaStatusStatement();

  abstract String replicaLagColumn();

  @Override
  public boolean tryNamedLock(Connection connection, String name) throws SQLException {
    return namedLockCall(connection, "SELECT GET_LOCK(?, 0)", name) == 1;
  }

  @Override
  public boolean isNamedLockFree(Connection connection, String name) throws SQLException {
    return namedLockCall(connection, "SELECT IS_FREE_LOCK(?)", name) == 1;
  }

  @Override
  public void releaseNamedLock(Connection connection, String name) throws SQLException {
    namedLockCall(connection, "SELECT RELEASE_LOCK(?)", name);
  }

  private static long namedLockCall(Connection connection, String call, String name)
      throws SQLException {
    try (java.sql.PreparedStatement statement = connection.prepareStatement(call)) {
      statement.setString(1, name);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}
