package dev.dray.load.spi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.duckdb.DuckDBConnection;

/**
 * Faster paths for load that rely on the JDBC drivers' internals (package-private classes and
 * fields), provided by the optional module {@code dray-driver-access} and found with {@link
 * java.util.ServiceLoader}. Internals change between driver releases without notice, so dray uses
 * an implementation only with the exact driver versions it was compiled against (see {@code
 * dev.dray.load.DriverAccess}); otherwise it uses the drivers' public APIs.
 */
public interface DriverInternals {
  /** The {@code org.duckdb:duckdb_jdbc} version this was compiled against, e.g. {@code 1.4.1.0}. */
  String duckDbVersion();

  /** The {@code org.mariadb.jdbc:mariadb-java-client} version this was compiled against. */
  String mariaDbVersion();

  /** A sink writing DuckDB data chunks directly, for a table with these staging types. */
  RowSink openSink(
      DuckDBConnection connection, String schema, String table, List<String> stagingTypes)
      throws SQLException;

  /** The raw rows of {@code rs}, or null when it holds no binary-protocol rows of this driver. */
  BinaryRows binaryRows(ResultSet rs);
}
