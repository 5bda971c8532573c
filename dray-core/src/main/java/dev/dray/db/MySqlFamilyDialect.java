package dev.dray.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/** What MariaDB and MySQL have in common: backtick quoting, LOCK TABLES, SHOW STATUS. */
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
}
