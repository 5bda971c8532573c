package dev.dray.db;

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
  String replicaStatusStatement() {
    return "SHOW SLAVE STATUS";
  }

  @Override
  String replicaLagColumn() {
    return "Seconds_Behind_Master";
  }
}
