package dev.dray.change;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Host, port and credentials of the server whose binary log is read, taken from the JDBC URL and
 * the connection config (the binlog client speaks the replication protocol, not JDBC).
 */
record BinlogEndpoint(String host, int port, String user, String password) {
  private static final Pattern URL =
      Pattern.compile("jdbc:(?:mariadb|mysql)://([^/:?;,]+)(?::(\\d+))?(?:[/?;].*)?");
  private static final int DEFAULT_PORT = 3306;

  static BinlogEndpoint of(ConnectionConfig config) {
    Matcher matcher = URL.matcher(config.url());
    if (!matcher.matches()) {
      throw DrayException.usage(
          "cannot read the binary log of "
              + config.safeUrl()
              + ": the URL must name one host (jdbc:mariadb://host:port/db)");
    }
    String user = config.user() != null ? config.user() : parameter(config.url(), "user");
    String password =
        config.password() != null ? config.password() : parameter(config.url(), "password");
    return new BinlogEndpoint(
        matcher.group(1),
        matcher.group(2) == null ? DEFAULT_PORT : Integer.parseInt(matcher.group(2)),
        user == null ? "" : user,
        password);
  }

  private static String parameter(String url, String name) {
    Matcher matcher = Pattern.compile("(?i)[?&;]" + name + "=([^&;]*)").matcher(url);
    return matcher.find() ? URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8) : null;
  }

  @Override
  public String toString() {
    return "BinlogEndpoint[" + host + ":" + port + ", user=" + user + "]";
  }
}
