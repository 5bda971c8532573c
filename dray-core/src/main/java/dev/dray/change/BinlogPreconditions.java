package dev.dray.change;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.BinlogPosition;
import dev.dray.db.BinlogSettings;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What must hold before a change stream starts, checked up front so a user gets one clear line
 * instead of a stream that fails later: the binary log on, ROW format, full row images, the
 * replication grants, and on a restart, the stored position still on the server.
 */
public final class BinlogPreconditions {
  private BinlogPreconditions() {}

  /** Checks settings and grants; throws {@link DrayException} naming the first problem. */
  public static void check(Connection connection, Dialect dialect) {
    try {
      BinlogSettings settings = dialect.binlogSettings(connection);
      String problem = settings.problem();
      if (problem != null) {
        throw new DrayException(ErrorCode.BINLOG_UNAVAILABLE, "cannot follow changes: " + problem);
      }
      List<String> missing = dialect.missingBinlogGrants(connection);
      if (!missing.isEmpty()) {
        throw new DrayException(
            ErrorCode.ACCESS_DENIED,
            "cannot read the binary log: the user lacks the grant"
                + (missing.size() > 1 ? "s " : " ")
                + String.join(" and ", missing)
                + " (GRANT "
                + String.join(", ", missing)
                + " ON *.* TO the user)");
      }
    } catch (SQLException e) {
      throw new DrayException(
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
          "cannot read the binary log settings: " + SqlErrors.describe(e),
          e);
    }
  }

  /** The current position; fails when the server reports none (binary log off). */
  public static BinlogPosition currentPosition(Connection connection, Dialect dialect) {
    try {
      return dialect
          .currentBinlogPosition(connection)
          .orElseThrow(
              () ->
                  new DrayException(
                      ErrorCode.BINLOG_UNAVAILABLE,
                      "the server reports no binary log position (is log_bin on?)"));
    } catch (SQLException e) {
      throw new DrayException(
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
          "cannot read the binary log position: " + SqlErrors.describe(e),
          e);
    }
  }

  /** Fails when the file of a stored position was purged: the log cannot continue from there. */
  public static void checkStillAvailable(
      Connection connection, Dialect dialect, BinlogPosition stored) {
    try {
      List<String> files = dialect.binaryLogFiles(connection);
      if (!files.contains(stored.file())) {
        throw purged(stored, files.isEmpty() ? "none" : files.get(0));
      }
    } catch (SQLException e) {
      throw new DrayException(
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
          "cannot list the binary logs: " + SqlErrors.describe(e),
          e);
    }
  }

  static DrayException purged(BinlogPosition stored, String oldest) {
    return new DrayException(
        ErrorCode.BINLOG_UNAVAILABLE,
        "the binary log at the stored position "
            + stored.coordinates()
            + " was purged from the server"
            + (oldest == null ? "" : " (oldest file now: " + oldest + ")")
            + ": the changes since cannot be read, so a fresh start is needed"
            + " (run again without --resume)");
  }
}
