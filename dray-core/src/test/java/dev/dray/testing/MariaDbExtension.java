package dev.dray.testing;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class a real MariaDB schema of its own. The server is the one named by {@code
 * DRAY_TEST_MARIADB_URL} (for example {@code jdbc:mariadb://127.0.0.1:3306/?user=root}) when set,
 * otherwise one embedded MariaDB started once per test JVM and stopped when the JVM ends.
 */
public final class MariaDbExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  public static final String URL_VARIABLE = "DRAY_TEST_MARIADB_URL";
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MariaDbExtension.class);

  private static ConnectionConfig server;
  private static String serverVersion;

  /** The server every test in this JVM uses; started on first use. */
  public static synchronized ConnectionConfig server() {
    if (server == null) {
      String url = System.getenv(URL_VARIABLE);
      if (url != null && !url.isBlank()) {
        server = ConnectionConfig.of(url.trim());
        if (!url.contains("user=")) {
          server = server.withUser("root");
        }
      } else {
        EmbeddedMariaDb embedded = EmbeddedMariaDb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "dray-test-mariadb-stop"));
        server = embedded.connectionConfig("mysql");
      }
      try (Connection connection = Connections.open(server)) {
        serverVersion = connection.getMetaData().getDatabaseProductVersion();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    ConnectionConfig config = server();
    String schema =
        ("dray_"
                + context.getRequiredTestClass().getSimpleName()
                + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)))
            .toLowerCase(Locale.ROOT);
    try (Connection connection = Connections.open(config);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE DATABASE `" + schema + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    }
    context
        .getStore(NAMESPACE)
        .put(TestDatabase.class, new TestDatabase(config, schema, serverVersion));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    TestDatabase database =
        context.getStore(NAMESPACE).remove(TestDatabase.class, TestDatabase.class);
    if (database != null) {
      try (Connection connection = Connections.open(server());
          Statement statement = connection.createStatement()) {
        statement.execute("DROP DATABASE IF EXISTS `" + database.schema() + "`");
      }
    }
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    ExtensionContext classContext = extensionContext;
    while (classContext.getStore(NAMESPACE).get(TestDatabase.class) == null
        && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    return classContext.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
  }
}
