package dev.dray.driveraccess;

import dev.dray.load.spi.BinaryRows;
import dev.dray.load.spi.DriverInternals;
import dev.dray.load.spi.RowSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.duckdb.DuckDBConnection;
import org.mariadb.jdbc.client.result.DrayRowAccess;

/**
 * The drivers' internals that make load faster: DuckDB data chunks filled directly and handed to
 * the C appender whole ({@link ChunkAppender}), and MariaDB Connector/J's binary rows read as bytes
 * ({@link DrayRowAccess}). Found by dray-core through {@link java.util.ServiceLoader}; dray-core
 * uses each half only when the running driver is the version recorded here at build time.
 */
public final class DrayDriverInternals implements DriverInternals {
  private static final Properties BUILT_FOR = builtFor();

  @Override
  public String duckDbVersion() {
    return BUILT_FOR.getProperty("duckdb.version");
  }

  @Override
  public String mariaDbVersion() {
    return BUILT_FOR.getProperty("mariadb-jdbc.version");
  }

  @Override
  public RowSink openSink(
      DuckDBConnection connection, String schema, String table, List<String> stagingTypes)
      throws SQLException {
    return new ChunkAppender(connection, schema, table, stagingTypes);
  }

  @Override
  public BinaryRows binaryRows(ResultSet rs) {
    int[] wireTypes = DrayRowAccess.binaryColumnTypes(rs);
    if (wireTypes == null) {
      return null;
    }
    boolean[] unsigned = DrayRowAccess.unsignedColumns(rs);
    return new BinaryRows() {
      @Override
      public int[] wireTypes() {
        return wireTypes;
      }

      @Override
      public boolean[] unsignedColumns() {
        return unsigned;
      }

      @Override
      public byte[] currentRow() {
        return DrayRowAccess.currentRow(rs);
      }
    };
  }

  /** The driver versions of the build, written into the jar by Maven resource filtering. */
  private static Properties builtFor() {
    Properties properties = new Properties();
    try (InputStream in = DrayDriverInternals.class.getResourceAsStream("built-for.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
