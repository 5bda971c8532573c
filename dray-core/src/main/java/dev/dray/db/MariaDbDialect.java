package dev.dray.db;

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
  String replicaStatusStatement() {
    return "SHOW SLAVE STATUS";
  }

  @Override
  String replicaLagColumn() {
    return "Seconds_Behind_Master";
  }
}
