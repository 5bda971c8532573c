package dev.dray.testing;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.TableName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real MariaDB schema that belongs to one test class: created before its first test and dropped
 * after its last. Injected by {@link MariaDbExtension}.
 */
public final class TestDatabase {
  private static final Pattern URL = Pattern.compile("^(jdbc:[a-z]+://[^/?]+)/?([^?]*)(\\?.*)?$");

  private final ConnectionConfig server;
  private final String schema;
  private final String serverVersion;

  TestDatabase(ConnectionConfig server, String schema, String serverVersion) {
    this.server = server;
    this.schema = schema;
    this.serverVersion = serverVersion;
  }

  /** The connection settings for this test's schema. */
  public ConnectionConfig config() {
    return server.withUrl(withDatabase(server.url(), schema));
  }

  /** The connection settings for another schema on the same server. */
  public ConnectionConfig config(String otherSchema) {
    return server.withUrl(withDatabase(server.url(), otherSchema));
  }

  /** The URL of this test's schema, with the user in it (no password on test servers). */
  public String url() {
    return config().url();
  }

  /** The user the server sees (also when it is given in the URL, as in {@code ?user=root}). */
  public String user() {
    return server.effectiveUser();
  }

  public String schema() {
    return schema;
  }

  public String serverVersion() {
    return serverVersion;
  }

  public TableName table(String name) {
    return new TableName(schema, name);
  }

  public Connection connect() {
    return Connections.open(config());
  }

  /** Runs statements in this schema. */
  public void execute(String... statements) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
    }
  }

  public long queryLong(String sql) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
    }
  }

  /** All rows of a query, each as a list of column values (getObject). */
  public List<List<Object>> query(String sql) {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
    }
  }

  /** The URL without its query part (so no user or options in it). */
  public static String urlWithoutUser(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  static String withDatabase(String url, String database) {
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("cannot parse test database URL " + url);
    }
    return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
  }
}
