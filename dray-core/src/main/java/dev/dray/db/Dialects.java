package dev.dray.db;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/** Chooses the {@link Dialect} from what the server says it is. */
public final class Dialects {
  private Dialects() {}

  public static Dialect detect(Connection connection) {
    try {
      DatabaseMetaData meta = connection.getMetaData();
      String version = meta.getDatabaseProductVersion();
      String product = meta.getDatabaseProductName();
      return forServer(product, version);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "cannot read server version: " + SqlErrors.describe(e), e);
    }
  }

  /** The dialect for a product name and version string as the JDBC metadata reports them. */
  public static Dialect forServer(String product, String version) {
    String lowerVersion = version == null ? "" : version.toLowerCase(Locale.ROOT);
    String lowerProduct = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (lowerVersion.contains("mariadb") || lowerProduct.contains("mariadb")) {
      return new MariaDbDialect("MariaDB " + stripSuffix(version));
    }
    if (lowerProduct.contains("mysql")) {
      return new MySqlDialect("MySQL " + stripSuffix(version));
    }
    throw new DrayException(
        ErrorCode.UNSUPPORTED_SCHEMA,
        "unsupported database " + product + " " + version + " (dray supports MariaDB and MySQL)");
  }

  private static String stripSuffix(String version) {
    if (version == null) {
      return "?";
    }
    int dash = version.indexOf('-');
    return dash > 0 ? version.substring(0, dash) : version;
  }
}
