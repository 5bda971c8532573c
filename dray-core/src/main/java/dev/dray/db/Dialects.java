package dev.dray.db;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Chooses the {@link Dialect} from what the server says it is. */
public final class Dialects {
  private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+)\\.(\\d+)");
  private static final String REPLICATION_PREFIX = "5.5.5-";

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
      String mariaDbVersion = stripReplicationPrefix(version);
      return new MariaDbDialect(
          "MariaDB " + stripSuffix(mariaDbVersion), atLeast(mariaDbVersion, 10, 5));
    }
    if (lowerProduct.contains("mysql")) {
      return new MySqlDialect("MySQL " + stripSuffix(version));
    }
    throw new DrayException(
        ErrorCode.UNSUPPORTED_SCHEMA,
        "unsupported database " + product + " " + version + " (dray supports MariaDB and MySQL)");
  }

  /**
   * Whether a version string such as {@code 10.11.6-MariaDB-0+deb12u1} is at least {@code
   * major.minor}; false when it does not start with two numbers.
   */
  static boolean atLeast(String version, int major, int minor) {
    Matcher matcher = MAJOR_MINOR.matcher(version == null ? "" : version);
    if (!matcher.lookingAt()) {
      return false;
    }
    try {
      int actualMajor = Integer.parseInt(matcher.group(1));
      int actualMinor = Integer.parseInt(matcher.group(2));
      return actualMajor > major || (actualMajor == major && actualMinor >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * MariaDB servers before 11 may announce themselves as {@code 5.5.5-10.x.y-MariaDB} (a prefix for
   * old MySQL replicas); the real version follows it.
   */
  private static String stripReplicationPrefix(String version) {
    return version != null && version.startsWith(REPLICATION_PREFIX)
        ? version.substring(REPLICATION_PREFIX.length())
        : version;
  }

  private static String stripSuffix(String version) {
    if (version == null) {
      return "?";
    }
    int dash = version.indexOf('-');
    return dash > 0 ? version.substring(0, dash) : version;
  }
}
