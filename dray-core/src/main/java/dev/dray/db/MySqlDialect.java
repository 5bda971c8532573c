package dev.dray.db;

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

  @Override
  String replicaStatusStatement() {
    return "SHOW REPLICA STATUS";
  }

  @Override
  String replicaLagColumn() {
    return "Seconds_Behind_Source";
  }
}
