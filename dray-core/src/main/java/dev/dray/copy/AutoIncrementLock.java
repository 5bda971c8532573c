package dev.dray.copy;

import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether parallel {@code INSERT ... SELECT} chunks into a table take turns on its AUTO-INC lock.
 *
 * <p>With {@code innodb_autoinc_lock_mode} 0 or 1 (1 is MariaDB's default), an {@code INSERT ...
 * SELECT} into a table with an AUTO_INCREMENT column holds the table-level AUTO-INC lock until the
 * statement ends, even when every row brings its own key value. Parallel server-side chunks then
 * run one at a time: measured on W2 (docs/BENCHMARKS.md), two workers copying 100,000-row chunks
 * were no faster than one, while the same target without AUTO_INCREMENT copied 1.4x faster. Mode 2
 * (MySQL 8's default, safe with row-based binary logs) takes only a short mutex.
 */
final class AutoIncrementLock {
  private AutoIncrementLock() {}

  /** A warning for the user when parallel chunks into {@code table} would serialize, else empty. */
  static Optional<String> serializationWarning(Connection target, TableName table, int workers)
      throws SQLException {
    if (workers < 2) {
      return Optional.empty();
    }
    try (PreparedStatement ps =
        target.prepareStatement(
            "SELECT @@innodb_autoinc_lock_mode, (SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%'"
                + " LIMIT 1)")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        int mode = rs.getInt(1);
        String column = rs.getString(2);
        if (column == null || mode >= 2) {
          return Optional.empty();
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
  }
}
