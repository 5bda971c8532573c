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
  private Connections() {}

  /** Opens a connection in auto-commit mode; failures become a {@link DrayException}. */
  public static Connection open(ConnectionConfig config) {
    Properties properties = new Properties();
    if (config.user() != null) {
      properties.setProperty("user", config.user());
    }
    if (config.password() != null) {
      properties.setProperty("password", config.password());
    }
    String url = config.url();
    if (url.startsWith("jdbc:mysql:") && !url.contains("permitMysqlScheme")) {
      // The MariaDB driver serves jdbc:mysql: URLs too when asked to.
      properties.setProperty("permitMysqlScheme", "true");
    }
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      throw connectFailure(config, e);
    }
  }

  static DrayException connectFailure(ConnectionConfig config, SQLException e) {
    ErrorCode code =
        SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED;
    String reason = firstLine(e.getMessage());
    return new DrayException(
        code,
        "cannot connect to "
            + config.safeUrl()
            + (config.user() == null ? "" : " as " + config.user())
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
