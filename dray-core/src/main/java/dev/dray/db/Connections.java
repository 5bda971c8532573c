package dev.dray.db;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.Secrets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections for a {@link ConnectionConfig} and turns failures into clear errors. */
public final class Connections {
  private static volatile java.time.Duration defaultConnectTimeout;

  private Connections() {}

  /**
   * The connect timeout of connections whose URL sets no {@code connectTimeout} (the command line's
   * {@code --connect-timeout}); null for the driver's default.
   */
  public static void defaultConnectTimeout(java.time.Duration timeout) {
    defaultConnectTimeout = timeout;
  }

  /** Opens a connection in auto-commit mode; failures become a {@link DrayException}. */
  public static Connection open(ConnectionConfig config) {
    Properties properties = new Properties();
    if (config.user() != null) {
      properties.setProperty("user", config.user());
    }
    if (config.password() != null) {
      properties.setProperty("password", config.password());
    }
    java.time.Duration timeout = defaultConnectTimeout;
    if (timeout != null
        && ConnectionConfig.urlParameter(config.url(), "connectTimeout").isEmpty()) {
      properties.setProperty("connectTimeout", Long.toString(timeout.toMillis()));
    }
    try {
      return DriverManager.getConnection(driverUrl(config.url()), properties);
    } catch (SQLException e) {
      throw connectFailure(config, e);
    }
  }

  /**
   * The URL as the MariaDB driver accepts it. The driver serves {@code jdbc:mysql:} URLs only when
   * the URL itself says {@code permitMysqlScheme} (a connection property is not enough: the driver
   * decides from the URL text whether it accepts it), so MySQL users' first URL would fail with "No
   * suitable driver".
   */
  static String driverUrl(String url) {
    if (url.startsWith("jdbc:mysql:") && !url.contains("permitMysqlScheme")) {
      return url + (url.contains("?") ? "&" : "?") + "permitMysqlScheme";
    }
    return url;
  }

  static DrayException connectFailure(ConnectionConfig config, SQLException e) {
    ErrorCode code =
        SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED;
    String reason = firstLine(e.getMessage());
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.net.UnknownHostException unknown) {
        // the driver's text ("Socket fail to connect to host:address=...") hides the cause
        reason = "cannot resolve host " + unknown.getMessage() + " (check the host in the URL)";
        break;
      }
      if (cause instanceof java.net.SocketTimeoutException) {
        reason = "timed out (the server did not answer; check host, port and firewall) - " + reason;
        break;
      }
    }
    return new DrayException(
        code,
        "cannot connect to "
            + config.safeUrl()
            + (config.effectiveUser() == null ? "" : " as " + config.effectiveUser())
            + ": "
            + Secrets.redact(reason),
        e);
  }

  static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int newline = message.indexOf('\n');
    return newline >= 0 ? message.substring(0, newline) : message;
  }
}
