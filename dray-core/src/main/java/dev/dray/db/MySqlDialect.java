package dev.dray.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** MySQL 8.0 and later. */
final class MySqlDialect extends MySqlFamilyDialect {
  MySqlDialect(String productName) {
    super(productName);
  }

  @Override
  public String sharedLockClause() {
    return "FOR SHARE";
  }

  /** MySQL has no {@code INSERT ... RETURNING}. */
  @Override
  public boolean supportsInsertReturning() {
    return false;
  }

  /**
   * MySQL names CHECK constraints per schema and finds their table only through TABLE_CONSTRAINTS;
   * NOT ENFORCED ones check nothing.
   */
  @Override
  String checkConstraintsQuery() {
    return "SELECT cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.TABLE_CONSTRAINTS tc"
        + " JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA"
        + " AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME"
        + " WHERE tc.TABLE_SCHEMA = ? AND tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE = 'CHECK'"
        + " AND tc.ENFORCED = 'YES' ORDER BY cc.CONSTRAINT_NAME";
  }

  @Override
  String replicaStatusStatement() {
    return "SHOW REPLICA STATUS";
  }

  @Override
  String replicaLagColumn() {
    return "Seconds_Behind_Source";
  }

  /** MySQL 8.2 renamed it SHOW BINARY LOG STATUS; 8.4 dropped the old name (untested here). */
  @Override
  String binlogStatusStatement() {
    return "SHOW MASTER STATUS";
  }

  /** The status row's Executed_Gtid_Set belongs to the same instant as its file and position. */
  @Override
  String gtidAt(Connection connection, ResultSet status, BinlogPosition position)
      throws SQLException {
    return status.getMetaData().getColumnCount() >= 5 ? status.getString(5) : null;
  }

  @Override
  List<String> binlogGrants() {
    return List.of("REPLICATION SLAVE", "REPLICATION CLIENT");
  }
}
