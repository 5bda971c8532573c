package dev.dray.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** MariaDB 10.6 and later. */
final class MariaDbDialect extends MySqlFamilyDialect {
  MariaDbDialect(String productName) {
    super(productName);
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
