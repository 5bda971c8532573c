package dev.dray.copy;

import dev.dray.db.AutoIncLockMode;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Whether parallel server-side chunks into a table gain little because of its AUTO_INCREMENT column
 * (see {@link AutoIncLockMode}). Measured on W2 (docs/BENCHMARKS.md, session 5): with lock mode 1
 * the AUTO-INC lock makes chunks take turns; with mode 2 two streams of 100,000-row chunks still
 * took longer than one (every row updates the counter under the table's mutex, also when it brings
 * its own key), while into the same table without AUTO_INCREMENT two streams were 1.3-1.5x faster
 * than one.
 */
final class AutoIncrementLock {
  private AutoIncrementLock() {}

  /**
   * A warning for the user when several workers copy into a table with an AUTO_INCREMENT column on
   * the server itself, else empty.
   */
  static Optional<String> serializationWarning(Connection target, TableName table, int workers)
      throws SQLException {
    if (workers < 2) {
      return Optional.empty();
    }
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
        return Optional.of(warning(table, rs.getString(1), AutoIncLockMode.read(target), workers));
      }
    }
  }

  /** The warning's text for a lock mode (a negative mode: unknown). */
  static String warning(TableName table, String column, int mode, int workers) {
    String why =
        mode < 0 || AutoIncLockMode.locksWholeStatement(mode)
            ? "each chunk's INSERT ... SELECT holds the table's AUTO-INC lock until it ends, so the "
                + workers
                + " workers will mostly take turns (innodb_autoinc_lock_mode=2, MySQL 8's default,"
                + " removes that lock)"
            : "every row inserted still updates the table's auto-increment counter under a mutex,"
                + " and on MariaDB parallel chunks into such a table gained nothing in dray's"
                + " measurements";
    return table
        + " has an AUTO_INCREMENT column ("
        + column
        + ") and the server runs with innodb_autoinc_lock_mode="
        + (mode < 0 ? "unknown" : Integer.toString(mode))
        + ": "
        + why
        + ". For such a target, large chunks (--chunk-time 500ms) with 1-2 workers are the fast"
        + " setting (docs/COPY.md).";
  }
}
