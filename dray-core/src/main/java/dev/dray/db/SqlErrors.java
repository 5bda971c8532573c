package dev.dray.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Classifies SQL errors: what is worth retrying and what is final. */
public final class SqlErrors {
  public static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  public static final int ER_LOCK_DEADLOCK = 1213;
  public static final int ER_ACCESS_DENIED = 1045;
  public static final int ER_DBACCESS_DENIED = 1044;
  public static final int ER_TABLEACCESS_DENIED = 1142;
  public static final int ER_COLUMNACCESS_DENIED = 1143;
  public static final int ER_SPECIFIC_ACCESS_DENIED = 1227;
  public static final int ER_NO_SUCH_TABLE = 1146;
  public static final int ER_BAD_DB = 1049;
  public static final int CR_SERVER_GONE = 2006;
  public static final int CR_SERVER_LOST = 2013;
  public static final int ER_QUERY_INTERRUPTED = 1317;
  public static final int ER_CONNECTION_KILLED = 1927;
  public static final int ER_SERVER_SHUTDOWN = 1053;
  public static final int ER_DUP_ENTRY = 1062;
  public static final int ER_BAD_NULL = 1048;
  public static final int ER_TRUNCATED_WRONG_VALUE_FOR_FIELD = 1366;
  public static final int ER_DATA_TOO_LONG = 1406;
  public static final int ER_WARN_DATA_OUT_OF_RANGE = 1264;
  public static final int ER_CONSTRAINT_FAILED = 4025;
  public static final int ER_CHECK_CONSTRAINT_VIOLATED = 3819;

  private SqlErrors() {}

  /** Deadlocks and lock wait timeouts: the statement can be run again as it was. */
  public static boolean isLockConflict(Throwable t) {
    for (SQLException e : sqlExceptions(t)) {
      int code = e.getErrorCode();
      if (code == ER_LOCK_DEADLOCK
          || code == ER_LOCK_WAIT_TIMEOUT
          || "40001".equals(e.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** The connection broke: the server went away, restarted, or killed this session. */
  public static boolean isConnectionLost(Throwable t) {
    for (SQLException e : sqlExceptions(t)) {
      int code = e.getErrorCode();
      String state = e.getSQLState();
      // The driver also raises SQLTransientConnectionException for server errors whose SQLSTATE
      // class it does not know (a trigger's SIGNAL SQLSTATE '45000'): those are not lost
      // connections.
      boolean driverConnectionError =
          e instanceof SQLTransientConnectionException
              && (code == 0 || state == null || state.startsWith("08"));
      if (driverConnectionError
          || code == CR_SERVER_GONE
          || code == CR_SERVER_LOST
          || code == ER_CONNECTION_KILLED
          || code == ER_SERVER_SHUTDOWN
          || (state != null && state.startsWith("08"))) {
        return true;
      }
    }
    return false;
  }

  /** Worth retrying after a pause: a lock conflict or a lost connection. */
  public static boolean isTransient(Throwable t) {
    return isLockConflict(t) || isConnectionLost(t);
  }

  public static boolean isAccessDenied(Throwable t) {
    for (SQLException e : sqlExceptions(t)) {
      int code = e.getErrorCode();
      if (code == ER_ACCESS_DENIED
          || code == ER_DBACCESS_DENIED
          || code == ER_TABLEACCESS_DENIED
          || code == ER_COLUMNACCESS_DENIED
          || code == ER_SPECIFIC_ACCESS_DENIED
          || "28000".equals(e.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** A duplicate value in a primary key or unique index (1062). */
  public static boolean isDuplicateKey(Throwable t) {
    for (SQLException e : sqlExceptions(t)) {
      if (e.getErrorCode() == ER_DUP_ENTRY) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why a strict write refused a row, in words a user can act on, or null when {@code t} is not
   * such a refusal: a duplicate key, NULL into NOT NULL, a value the column cannot hold, a failed
   * CHECK.
   */
  public static String refusedRowReason(Throwable t) {
    for (SQLException e : sqlExceptions(t)) {
      switch (e.getErrorCode()) {
        case ER_DUP_ENTRY:
          return "a unique key of the target that the source's keys do not imply holds the same"
              + " value twice";
        case ER_BAD_NULL:
          return "the target column is NOT NULL and the source row has NULL";
        case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
        case ER_DATA_TOO_LONG:
        case ER_WARN_DATA_OUT_OF_RANGE:
          return "the target column cannot hold the source value unchanged (character set, length"
              + " or range)";
        case ER_CONSTRAINT_FAILED:
        case ER_CHECK_CONSTRAINT_VIOLATED:
          return "a CHECK constraint of the target rejects the source row";
        default:
          break;
      }
    }
    return null;
  }

  public static boolean isNoSuchTable(Throwable t) {
    for (SQLException e : sqlExceptions(t)) {
      if (e.getErrorCode() == ER_NO_SUCH_TABLE || e.getErrorCode() == ER_BAD_DB) {
        return true;
      }
    }
    return false;
  }

  /** A one-line description: the first line of the innermost SQL message, with its error code. */
  public static String describe(Throwable t) {
    for (SQLException e : sqlExceptions(t)) {
      String message = Connections.firstLine(e.getMessage());
      return e.getErrorCode() != 0 ? message + " (error " + e.getErrorCode() + ")" : message;
    }
    return t.getMessage() == null
        ? t.getClass().getSimpleName()
        : Connections.firstLine(t.getMessage());
  }

  private static Iterable<SQLException> sqlExceptions(Throwable t) {
    java.util.List<SQLException> found = new java.util.ArrayList<>();
    java.util.Set<Throwable> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable current = t;
        current != null && seen.add(current);
        current = current.getCause()) {
      if (current instanceof SQLException sql) {
        found.add(sql);
        SQLException next = sql.getNextException();
        if (next != null) {
          found.add(next);
        }
      }
    }
    return found;
  }
}
