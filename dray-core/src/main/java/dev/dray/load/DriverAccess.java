package dev.dray.load;

import dev.dray.load.spi.BinaryRows;
import dev.dray.load.spi.DriverInternals;
import dev.dray.load.spi.RowSink;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.ServiceLoader;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, per driver, between the drivers' public APIs and the faster {@link DriverInternals} of
 * the optional module {@code dray-driver-access}. The internals are used only when the module is on
 * the class path and the driver found at run time is the very version the module was compiled
 * against; any other version gets one log line and the public path, so a library user's own driver
 * version never breaks (or crashes) a load. {@code -Ddray.load.driverAccess=public} forces the
 * public path for both drivers, {@code -Ddray.load.rowDecoding=driver} for the MariaDB side only.
 */
final class DriverAccess {
  private static final Logger LOG = LoggerFactory.getLogger(DriverAccess.class);
  static final String FORCE_PUBLIC = "dray.load.driverAccess";
  static final String ROW_DECODING = "dray.load.rowDecoding";
  private static final String MARIADB_DRIVER_NAME = "MariaDB Connector/J";

  private static volatile DriverAccess shared;

  private final DriverInternals internals;
  private volatile Boolean duckDbInternals;
  private volatile Boolean mariaDbInternals;

  DriverAccess(DriverInternals internals) {
    this.internals = internals;
  }

  /** The process-wide choice (the drivers on the class path do not change while it runs). */
  static DriverAccess shared() {
    DriverAccess access = shared;
    if (access == null) {
      access = new DriverAccess(findInternals());
      shared = access;
    }
    return access;
  }

  private static DriverInternals findInternals() {
    try {
      for (DriverInternals found : ServiceLoader.load(DriverInternals.class)) {
        return found;
      }
      LOG.debug("dray-driver-access is not on the class path: using the drivers' public APIs");
    } catch (java.util.ServiceConfigurationError | LinkageError unusable) {
      LOG.info(
          "driver internals not usable ({}): using the drivers' public APIs", unusable.toString());
    }
    return null;
  }

  /** A sink for the staging table: DuckDB chunks filled directly, or the public appender. */
  RowSink openSink(DuckDBConnection connection, String table, List<String> stagingTypes)
      throws SQLException {
    return openSink(connection, DuckDBConnection.DEFAULT_SCHEMA, table, stagingTypes);
  }

  /** A sink for a table in {@code schema} (follow's batch tables live in dray's own schema). */
  RowSink openSink(
      DuckDBConnection connection, String schema, String table, List<String> stagingTypes)
      throws SQLException {
    if (!forcedPublic() && useDuckDbInternals(connection)) {
      try {
        return internals.openSink(connection, schema, table, stagingTypes);
      } catch (LinkageError changedDriver) {
        duckDbInternals = false;
        LOG.warn(
            "DuckDB driver internals failed to link ({}): using its public appender",
            changedDriver.toString());
      }
    }
    return new PublicAppenderSink(connection, schema, table, stagingTypes);
  }

  /** The raw rows of {@code rs}, or null to read every cell through the JDBC getters. */
  BinaryRows binaryRows(ResultSet rs) {
    if (forcedPublic()
        || "driver".equals(System.getProperty(ROW_DECODING))
        || !useMariaDbInternals(rs)) {
      return null;
    }
    try {
      return internals.binaryRows(rs);
    } catch (LinkageError | RuntimeException changedDriver) {
      mariaDbInternals = false;
      LOG.warn(
          "MariaDB driver internals failed ({}): reading rows through JDBC getters",
          changedDriver.toString());
      return null;
    }
  }

  /** Read per task, so that tests and benchmarks can compare both paths in one process. */
  private static boolean forcedPublic() {
    return "public".equals(System.getProperty(FORCE_PUBLIC));
  }

  /** Whether the DuckDB internals are in use (for tests and the log). */
  boolean useDuckDbInternals(DuckDBConnection connection) {
    Boolean use = duckDbInternals;
    if (use == null) {
      synchronized (this) { // decided (and logged) once, by the first worker
        use = duckDbInternals;
        if (use == null) {
          use =
              internals != null
                  && check("DuckDB JDBC", internals.duckDbVersion(), duckDbVersion(connection));
          duckDbInternals = use;
        }
      }
    }
    return use;
  }

  private boolean useMariaDbInternals(ResultSet rs) {
    Boolean use = mariaDbInternals;
    if (use == null) {
      if (internals == null) {
        return false;
      }
      String running = mariaDbDriverVersion(rs);
      if (running == null) {
        return false; // another driver's result: decided for MariaDB's when one comes
      }
      synchronized (this) {
        use = mariaDbInternals;
        if (use == null) {
          use = check("MariaDB Connector/J", internals.mariaDbVersion(), running);
          mariaDbInternals = use;
        }
      }
    }
    return use;
  }

  private static boolean check(String driver, String builtFor, String running) {
    if (DriverVersions.sameRelease(builtFor, running)) {
      LOG.debug("using {} {} internals (dray-driver-access)", driver, running);
      return true;
    }
    LOG.info(
        "dray-driver-access was built for {} {} but {} is running: using the driver's public API"
            + " (slower; use the driver version {} for the fast path)",
        driver,
        builtFor,
        running,
        builtFor);
    return false;
  }

  /**
   * DuckDB reports its engine release ({@code v1.4.1}); its JDBC driver version is fixed at 1.0.
   */
  private static String duckDbVersion(DuckDBConnection connection) {
    try {
      return connection.getMetaData().getDatabaseProductVersion();
    } catch (SQLException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** The version of MariaDB Connector/J that produced {@code rs}, or null for another driver. */
  private static String mariaDbDriverVersion(ResultSet rs) {
    try {
      Statement statement = rs.getStatement();
      Connection connection = statement == null ? null : statement.getConnection();
      if (connection == null) {
        return null;
      }
      DatabaseMetaData metaData = connection.getMetaData();
      return MARIADB_DRIVER_NAME.equals(metaData.getDriverName())
          ? metaData.getDriverVersion()
          : null;
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }
}
