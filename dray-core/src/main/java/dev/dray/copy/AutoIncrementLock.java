package dev.dray.copy;

import dev.dray.db.AutoIncLockMode;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether parallel server-side chunks into a table take turns on its AUTO-INC lock (see {@link
 * AutoIncLockMode}). Measured on W2 (docs/BENCHMARKS.md): with mode 1, two streams of 100,000-row
 * chunks into an AUTO_INCREMENT target were no faster than one, while into the same table without
 * AUTO_INCREMENT they were 1.4x faster.
 */
final class AutoIncrementLock {
  private AutoIncrementLock() {}

  /** A warning for the user when parallel chunks into {@code table} would serialize, else empty. */
  static Optional<String> serializationWarning(Connection target, TableName table, int workers)
      throws SQLException {
    if (workers < 2) {
      return Optional.empty();
    }
    int mode = AutoIncLockMode.read(target);
    if (!AutoIncLockMode.locksWholeStatement(mode)) {
      return Optional.empty();
    }
    String column;
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND"
                + " TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%' LIMIT 1")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        column = rs.getString(1);
      }
    }
    return Optional.of(
        table
            + " has an AUTO_INCREMENT column ("
            + column
            + ") and the server runs with innodb_autoinc_lock_mode="
            + mode
            + ": each chunk's INSERT ... SELECT holds the table's AUTO-INC lock until it ends,"
            + " so the "
            + workers
            + " workers will mostly take turns. innodb_autoinc_lock_mode=2 (MySQL 8's"
            + " default, safe with binlog_format=ROW) lets chunks run in parallel.");
  }
}
