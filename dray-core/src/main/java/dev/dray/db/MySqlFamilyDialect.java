package dev.dray.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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

  // --- binary log ---

  @Override
  public BinlogSettings binlogSettings(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image")) {
      rs.next();
      return new BinlogSettings(
          rs.getBoolean(1),
          rs.getString(2).toUpperCase(Locale.ROOT),
          rs.getString(3).toUpperCase(Locale.ROOT));
    }
  }

  @Override
  public Optional<BinlogPosition> currentBinlogPosition(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(binlogStatusStatement())) {
      if (!rs.next()) {
        return Optional.empty();
      }
      BinlogPosition position = new BinlogPosition(rs.getString(1), rs.getLong(2), null);
      return Optional.of(position.withGtid(gtidAt(connection, rs, position)));
    }
  }

  /** SHOW MASTER STATUS or its newer name. */
  abstract String binlogStatusStatement();

  /** The GTID state at {@code position} (status is the row of the status statement), or null. */
  abstract String gtidAt(Connection connection, ResultSet status, BinlogPosition position)
      throws SQLException;

  @Override
  public List<String> binaryLogFiles(Connection connection) throws SQLException {
    List<String> files = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW BINARY LOGS")) {
      while (rs.next()) {
        files.add(rs.getString(1));
      }
    }
    return files;
  }

  @Override
  public List<String> missingBinlogGrants(Connection connection) throws SQLException {
    Set<String> held = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE ="
                    + " CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
                    + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')")) {
      while (rs.next()) {
        held.add(rs.getString(1).toUpperCase(Locale.ROOT));
      }
    }
    return binlogGrants().stream().filter(g -> !held.contains(g)).toList();
  }

  /** The global grants a binlog reader needs, by this product's names. */
  abstract List<String> binlogGrants();

  @Override
  public String replaceRowsStatement(TableName table, List<String> columns, int rows) {
    String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
    return "REPLACE INTO "
        + quote(table)
        + " ("
        + quotedList(columns)
        + ") VALUES "
        + String.join(", ", Collections.nCopies(rows, row));
  }

  @Override
  public String deleteRowsStatement(TableName table, List<String> keyColumns, int rows) {
    String row = "(" + String.join(", ", Collections.nCopies(keyColumns.size(), "?")) + ")";
    return "DELETE FROM "
        + quote(table)
        + " WHERE ("
        + quotedList(keyColumns)
        + ") IN ("
        + String.join(", ", Collections.nCopies(rows, row))
        + ")";
  }
}
