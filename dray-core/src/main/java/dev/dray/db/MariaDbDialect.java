package dev.dray.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** MariaDB 10.6 and later. */
final class MariaDbDialect extends MySqlFamilyDialect {
  private final boolean insertReturning;

  /**
   * @param insertReturning whether the server has {@code INSERT ... RETURNING} (10.5 and later)
   */
  MariaDbDialect(String productName, boolean insertReturning) {
    super(productName);
    this.insertReturning = insertReturning;
  }

  @Override
  public boolean supportsInsertReturning() {
    return insertReturning;
  }

  @Override
  public String sharedLockClause() {
    return "LOCK IN SHARE MODE";
  }

  /** MariaDB lists CHECK constraints per table, column-level ones named after their column. */
  @Override
  String checkConstraintsQuery() {
    return "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
        + " WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? ORDER BY CONSTRAINT_NAME";
  }

  @Override
  String replicaStatusStatement() {
    return "SHOW SLAVE STATUS";
  }

  @Override
  String replicaLagColumn() {
    return "Seconds_Behind_Master";
  }

  @Override
  String binlogStatusStatement() {
    return "SHOW MASTER STATUS";
  }

  /** BINLOG_GTID_POS maps the very file:pos to its GTID state, with no race against writers. */
  @Override
  String gtidAt(Connection connection, ResultSet status, BinlogPosition position)
      throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT BINLOG_GTID_POS(?, ?)")) {
      ps.setString(1, position.file());
      ps.setLong(2, position.position());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** MariaDB 10.5 split REPLICATION CLIENT: SHOW MASTER STATUS and SHOW BINARY LOGS need this. */
  @Override
  List<String> binlogGrants() {
    return List.of("REPLICATION SLAVE", "BINLOG MONITOR");
  }
}
