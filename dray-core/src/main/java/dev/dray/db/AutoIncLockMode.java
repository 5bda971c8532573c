package dev.dray.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@code innodb_autoinc_lock_mode} and what it means for {@code INSERT ... SELECT}.
 *
 * <p>In modes 0 and 1 (1 is MariaDB's default), an {@code INSERT ... SELECT} into a table with an
 * AUTO_INCREMENT column holds the table-level AUTO-INC lock until the statement ends, even when
 * every row brings its own key value: concurrent inserts into that table wait for the whole
 * statement, and parallel {@code INSERT ... SELECT} statements take turns. Mode 2 (MySQL 8's
 * default, safe with row-based binary logs) takes only a short mutex. The mode is read-only while
 * the server runs.
 */
public final class AutoIncLockMode {
  private static final Logger LOG = LoggerFactory.getLogger(AutoIncLockMode.class);

  /** Returned by {@link #read} when the server does not say. */
  public static final int UNKNOWN = -1;

  private AutoIncLockMode() {}

  /** The server's mode, or {@link #UNKNOWN}. */
  public static int read(Connection c) {
    try (Statement statement = c.createStatement();
        ResultSet rs = statement.executeQuery("SELECT @@innodb_autoinc_lock_mode")) {
      return rs.next() ? rs.getInt(1) : UNKNOWN;
    } catch (SQLException e) {
      LOG.debug("cannot read innodb_autoinc_lock_mode: {}", SqlErrors.describe(e));
      return UNKNOWN;
    }
  }

  /** Whether an {@code INSERT ... SELECT} holds the AUTO-INC lock to its end (0 or 1). */
  public static boolean locksWholeStatement(int mode) {
    return mode == 0 || mode == 1;
  }
}
