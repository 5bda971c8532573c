package dev.dray.load.follow;

import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.EmbeddedMariaDb;
import dev.dray.db.TableName;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadListener;
import dev.dray.load.LoadResult;
import dev.dray.run.Cancellation;
import dev.dray.testing.BinlogServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A MariaDB with a row-based binary log and full row images ({@link BinlogServer}, shared by the
 * JVM's binary-log tests; the shared test server has none), one schema on it, and what follow tests
 * do with it: run a follow in the background, stop it once it has caught up with the source, read
 * DuckDB tables as text, load afresh to compare.
 */
public final class FollowFixture implements AutoCloseable {
  /**
   * A server of one's own with a ROW binary log (root, no password), e.g. {@code
   * jdbc:mariadb://127.0.0.1:3407/}; when set, tests use it instead of starting an embedded one
   * (which takes 10-60 s on a loaded machine).
   */
  public static final String SERVER_ENV = "DRAY_TEST_BINLOG_URL";

  private final String serverUrl;
  public final ConnectionConfig config;
  public final String schema;

  private FollowFixture(String serverUrl, String schema) {
    this.serverUrl = serverUrl;
    this.schema = schema;
    this.config = new ConnectionConfig(serverUrl + schema, "root", null);
  }

  public static FollowFixture start(String schema) {
    String given = System.getenv(SERVER_ENV);
    if (given != null && !given.isBlank()) {
      String base = given.endsWith("/") ? given : given + "/";
      try (Connection c = Connections.open(new ConnectionConfig(base + "mysql", "root", null));
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + schema);
        s.execute("CREATE DATABASE " + schema + " CHARACTER SET utf8mb4");
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return new FollowFixture(base, schema);
    }
    EmbeddedMariaDb server = BinlogServer.server(); // shared by the JVM's binary-log tests
    try (Connection c = Connections.open(server.connectionConfig("mysql"));
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + schema);
      s.execute("CREATE DATABASE " + schema + " CHARACTER SET utf8mb4");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new FollowFixture(server.jdbcUrl(""), schema);
  }

  public String url() {
    return serverUrl + schema;
  }

  public TableName table(String name) {
    return new TableName(schema, name);
  }

  public void execute(String... statements) {
    try (Connection c = Connections.open(config);
        Statement s = c.createStatement()) {
      s.execute("SET time_zone = '+00:00'");
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public BinlogPosition sourcePosition() {
    try (Connection c = Connections.open(config);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
      rs.next();
      return new BinlogPosition(rs.getString(1), rs.getLong(2), null);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Purges the binary logs before {@code file} and waits until the server no longer lists them:
   * MariaDB keeps a log while a replica still reads it or until its binlog checkpoint moved on
   * (PURGE then only warns), so the purge is repeated until it took.
   */
  public void purgeBinaryLogsTo(String file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> warnings = new ArrayList<>();
    while (true) {
      try (Connection c = Connections.open(config);
          Statement s = c.createStatement()) {
        s.execute("PURGE BINARY LOGS TO '" + file + "'");
        for (java.sql.SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
          warnings.add(w.getMessage());
        }
        try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
          rs.next();
          if (rs.getString(1).equals(file)) {
            System.out.printf("purged before %s; warnings on the way: %s%n", file, warnings);
            return;
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the binary logs before " + file + " stay: " + warnings);
      }
      Thread.sleep(100);
    }
  }

  public LoadJob.Builder job(Path file, String... tables) {
    LoadJob.Builder builder =
        LoadJob.builder()
            .source(config)
            .target(file)
            .workers(2)
            .follow(FollowSettings.defaults().withApplyInterval(Duration.ofMillis(200)));
    for (String table : tables) {
      builder.table(table(table));
    }
    return builder;
  }

  /** Every row of a DuckDB table as text, in the given order. */
  public static List<String> rows(Path file, String table, String orderBy) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\" ORDER BY " + orderBy)) {
      List<String> rows = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          row.append(rs.getMetaData().getColumnName(i)).append('=');
          row.append(v instanceof byte[] b ? HexFormat.of().formatHex(b) : v);
          row.append(i < n ? ", " : "");
        }
        rows.add(row.toString());
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a fresh load of the source table gives now, rendered like {@link #rows}. */
  public List<String> freshLoad(Path dir, String table, String orderBy) {
    Path fresh = dir.resolve("fresh-" + table + "-" + System.nanoTime() + ".duckdb");
    LoadJob.builder().source(config).table(table(table)).target(fresh).build().run();
    return rows(fresh, table, orderBy);
  }

  @Override
  public void close() {
    execute("DROP DATABASE " + schema);
  }

  /** A follow job running in the background, stopped by {@link #stopWhenCaughtUp}. */
  public final class Running implements LoadListener {
    public final Cancellation cancellation = new Cancellation();
    final CountDownLatch following = new CountDownLatch(1);
    final AtomicReference<BinlogPosition> reached = new AtomicReference<>();
    public final List<BatchReport> batches = new CopyOnWriteArrayList<>();
    public CompletableFuture<LoadResult> result;

    @Override
    public void followStarted(BinlogPosition position) {
      reached.set(position);
      following.countDown();
    }

    @Override
    public void batchApplied(BatchReport report) {
      reached.set(report.position());
      batches.add(report);
    }

    public Running start(LoadJob job) throws InterruptedException {
      result = CompletableFuture.supplyAsync(() -> job.run(cancellation, this));
      while (!following.await(100, TimeUnit.MILLISECONDS)) {
        if (result.isDone()) {
          result.join(); // throws the failure
        }
      }
      return this;
    }

    /** Waits until the follow has applied up to the source's current position, then stops it. */
    public LoadResult stopWhenCaughtUp() throws Exception {
      if (!awaitCaughtUp()) {
        return result.join();
      }
      cancellation.cancel(new InterruptedException("test stops follow"));
      return result.get(90, TimeUnit.SECONDS);
    }

    /**
     * Waits (up to 90 s) until the follow has applied up to the source's current position; false
     * when the follow ended first.
     */
    public boolean awaitCaughtUp() throws InterruptedException {
      BinlogPosition target = sourcePosition();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (reached.get().compareTo(target) < 0 && System.nanoTime() < deadline) {
        if (result.isDone()) {
          return false;
        }
        Thread.sleep(20);
      }
      return true;
    }
  }

  public Running running() {
    return new Running();
  }
}
