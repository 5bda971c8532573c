package dev.dray.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

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

  @Override
  public boolean setCheckConstraintChecks(Connection connection, boolean on) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET SESSION check_constraint_checks = " + (on ? 1 : 0));
    }
    return true;
  }

  @Override
  String replicaStatusStatement() {
    return "SHOW SLAVE STATUS";
  }

  @Override
  String replicaLagColumn() {
    return "Seconds_Behind_Master";
  }
}
