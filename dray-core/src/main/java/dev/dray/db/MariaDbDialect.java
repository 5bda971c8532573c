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
}
