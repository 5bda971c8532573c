package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TcpProxy;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class CopyFailureTest {
  private static void createTables(TestDatabase db, String name, int rows) {
    db.execute(
        "DROP TABLE IF EXISTS " + name,
        "CREATE TABLE "
            + name
            + " (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NOT NULL)",
        "INSERT INTO " + name + " SELECT seq, seq % 100, MD5(seq) FROM seq_1_to_" + rows,
        "DROP TABLE IF EXISTS " + name + "_copy",
        "CREATE TABLE " + name + "_copy LIKE " + name);
  }

  private static CopyJob.Builder job(TestDatabase db, String name) {
    return CopyJob.builder()
        .source(db.config())
        .sourceTable(db.table(name))
        .targetTable(db.table(name + "_copy"))
        .chunkRows(100)
        .workers(3);
  }

  private static DrayException failure(CopyJob.Builder builder) {
    return catchThrowableOfType(DrayException.class, () -> builder.build().run());
  }

  private static boolean verifiesEqual(TestDatabase db, String name) {
    return VerifyJob.builder()
        .source(db.config())
        .sourceTable(db.table(name))
        .targetTable(db.table(name + "_copy"))
        .build()
        .run()
        .equal();
  }

  /** Every source row below the checkpoint's last upper bound is in the target. */
  private static void assertCheckpointValid(TestDatabase db, String name, String jobId) {
    List<List<Object>> rows =
        db.query("SELECT last_range FROM _dray_checkpoint WHERE job_id = '" + jobId + "'");
    assertThat(rows).hasSize(1);
    String range = (String) rows.get(0).get(0);
    if (range == null) {
      return;
    }
    long upper =
        dev.dray.plan.KeyCodec.decodeRange(range).upper() == null
            ? Long.MAX_VALUE
            : ((Number) dev.dray.plan.KeyCodec.decodeRange(range).upper().get(0)).longValue();
    long expected = db.queryLong("SELECT COUNT(*) FROM " + name + " WHERE id < " + upper);
    long actual = db.queryLong("SELECT COUNT(*) FROM " + name + "_copy WHERE id < " + upper);
    assertThat(actual).as("rows below the checkpoint (id < %d)", upper).isEqualTo(expected);
  }

  @Test
  void refusesASourceWithoutKey(TestDatabase db) {
    db.execute(
        "DROP TABLE IF EXISTS nokey",
        "CREATE TABLE nokey (a INT NULL, b INT NULL, UNIQUE KEY (a))",
        "CREATE TABLE IF NOT EXISTS nokey_copy LIKE nokey");
    DrayException e = failure(job(db, "nokey"));
    assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_SCHEMA);
    assertThat(e.getMessage()).contains("nokey").contains("no primary key");
  }

  @Test
  void refusesAMissingTarget(TestDatabase db) {
    createTables(db, "notarget", 10);
    db.execute("DROP TABLE notarget_copy");
    DrayException e = failure(job(db, "notarget"));
    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(e.getMessage())
        .contains("target table " + db.schema() + ".notarget_copy does not exist");
  }

  @Test
  void refusesTruncatingTypesAndMissingColumnsBeforeAnyRowMoves(TestDatabase db) {
    createTables(db, "narrow", 50);
    db.execute(
        "DROP TABLE narrow_copy",
        "CREATE TABLE narrow_copy (id INT NOT NULL PRIMARY KEY, b VARCHAR(10) NOT NULL, c INT NOT NULL)");
    DrayException e = failure(job(db, "narrow"));
    assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_SCHEMA);
    assertThat(e.getMessage())
        .contains("column id: target type int(11) cannot hold source type bigint(20)")
        .contains("column b: target type varchar(10) cannot hold source type varchar(64)")
        .contains("column a is missing in the target")
        .contains("target column c is NOT NULL without a default");
    assertThat(db.queryLong("SELECT COUNT(*) FROM narrow_copy")).isZero();
  }

  @Test
  void reportsMissingPrivilegesClearly(TestDatabase db) {
    createTables(db, "priv", 300);
    job(db, "priv").jobId("setup").build().run(); // creates the checkpoint table
    db.execute("TRUNCATE priv_copy");
    String user = "dray_lim_" + db.schema().substring(db.schema().length() - 5);
    String password = "s3cret-" + user;
    try {
      db.execute("DROP USER IF EXISTS '" + user + "'@'%'");
    } catch (IllegalStateException e) {
      // a server started with --skip-grant-tables has no users and no privilege checks
      org.junit.jupiter.api.Assumptions.assumeFalse(
          e.getMessage().contains("skip-grant-tables"), "server has no privilege system");
      throw e;
    }
    for (String host : new String[] {"%", "localhost", "127.0.0.1"}) {
      db.execute(
          "DROP USER IF EXISTS '" + user + "'@'" + host + "'",
          "CREATE USER '" + user + "'@'" + host + "' IDENTIFIED BY '" + password + "'",
          "GRANT SELECT ON `" + db.schema() + "`.* TO '" + user + "'@'" + host + "'");
    }
    try {
      ConnectionConfig limited =
          new ConnectionConfig(db.config().url().replaceAll("[?&]user=[^&]*", ""), user, password);
      DrayException e = failure(job(db, "priv").source(limited).target(limited));
      assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
      assertThat(e.getMessage()).contains("_dray_checkpoint").doesNotContain(password);

      for (String host : new String[] {"%", "localhost", "127.0.0.1"}) {
        db.execute(
            "GRANT INSERT, UPDATE, DELETE ON `"
                + db.schema()
                + "`.`_dray_checkpoint` TO '"
                + user
                + "'@'"
                + host
                + "'");
      }
      e = failure(job(db, "priv").source(limited).target(limited));
      assertThat(e.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
      assertThat(e.getMessage())
          .contains("priv")
          .contains("keys [")
          .contains("INSERT command denied")
          .doesNotContain(password);
      assertThat(db.queryLong("SELECT COUNT(*) FROM priv_copy")).isZero();
    } finally {
      for (String host : new String[] {"%", "localhost", "127.0.0.1"}) {
        db.execute("DROP USER IF EXISTS '" + user + "'@'" + host + "'");
      }
    }
  }

  @Test
  void retriesALockWaitTimeoutAndSucceeds(TestDatabase db) throws Exception {
    createTables(db, "lockwait", 1000);
    try (Connection locker = db.connect();
        Statement statement = locker.createStatement()) {
      locker.setAutoCommit(false);
      statement.executeQuery("SELECT * FROM lockwait WHERE id = 550 FOR UPDATE").close();
      CompletableFuture.delayedExecutor(1500, TimeUnit.MILLISECONDS)
          .execute(() -> rollbackQuietly(locker));
      CopyResult result =
          job(db, "lockwait").lockWaitTimeout(Duration.ofSeconds(1)).maxAttempts(5).build().run();
      assertThat(result.retries()).isGreaterThanOrEqualTo(1);
      assertThat(result.rowsCopied()).isEqualTo(1000);
    }
    assertThat(verifiesEqual(db, "lockwait")).isTrue();
  }

  @Test
  void failsFastAfterTheLastAttemptWithAValidCheckpoint(TestDatabase db) throws Exception {
    createTables(db, "stuck", 1500);
    CopyJob.Builder job = job(db, "stuck").lockWaitTimeout(Duration.ofSeconds(1)).maxAttempts(2);
    try (Connection locker = db.connect();
        Statement statement = locker.createStatement()) {
      locker.setAutoCommit(false);
      statement.executeQuery("SELECT * FROM stuck WHERE id = 750 FOR UPDATE").close();
      DrayException e = failure(job);
      assertThat(e.code()).isEqualTo(ErrorCode.TASK_FAILED);
      assertThat(e.getMessage())
          .contains("keys [")
          .contains("after 2 attempts")
          .contains("Lock wait timeout")
          .contains("--resume");
      assertThat(
              db.queryLong(
                  "SELECT frontier_sequence FROM _dray_checkpoint WHERE job_id LIKE '%.stuck>%'"))
          .isLessThan(7);
      assertCheckpointValid(db, "stuck", job.build().settings().jobId());
      locker.rollback();
    }
    assertThat(job.resume(true).build().run().resumedFromSequence()).isLessThan(7);
    assertThat(verifiesEqual(db, "stuck")).isTrue();
  }

  @Test
  void targetServerGoneMidCopyFailsWithAValidCheckpoint(TestDatabase db) throws Exception {
    createTables(db, "gone", 3000);
    try (TcpProxy proxy = new TcpProxy(db.url())) {
      ConnectionConfig viaProxy = db.config().withUrl(proxy.rewrite(db.url()));
      CopyJob.Builder job =
          job(db, "gone")
              .target(viaProxy)
              .mode(CopyMode.STREAMING)
              .maxRowsPerSecond(3000)
              .maxAttempts(3);
      CompletableFuture<CopyResult> running =
          CompletableFuture.supplyAsync(() -> job.build().run());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (db.queryLong("SELECT COUNT(*) FROM gone_copy") < 600 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      proxy.cut();
      DrayException e =
          catchThrowableOfType(
              DrayException.class,
              () -> {
                try {
                  running.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException wrapped) {
                  throw wrapped.getCause();
                }
              });
      assertThat(e).isNotNull();
      assertThat(e.exitCode()).isEqualTo(1);
      assertThat(e.getMessage()).contains("--resume");
      assertCheckpointValid(db, "gone", job.build().settings().jobId());
      assertThat(db.queryLong("SELECT COUNT(*) FROM gone_copy")).isLessThan(3000);
      proxy.restore();
      CopyResult resumed = job.maxRowsPerSecond(0).resume(true).build().run();
      assertThat(resumed.resumedFromSequence()).isGreaterThanOrEqualTo(0);
    }
    assertThat(verifiesEqual(db, "gone")).isTrue();
  }

  /**
   * Issue 17: the connection that finds chunk boundaries is retried like the workers' when it is
   * lost. The source (read by the boundary producer only, in server-side mode) is reached through a
   * proxy that drops every connection mid-copy and accepts again after a moment.
   */
  @Test
  void theBoundaryConnectionIsRetriedWhenLost(TestDatabase db) throws Exception {
    createTables(db, "bounds", 3000);
    try (TcpProxy proxy = new TcpProxy(db.url())) {
      ConnectionConfig viaProxy = db.config().withUrl(proxy.rewrite(db.url()));
      CopyJob.Builder job =
          job(db, "bounds")
              .source(viaProxy)
              .target(db.config())
              .mode(CopyMode.SERVER_SIDE)
              .workers(1)
              .maxRowsPerSecond(3000)
              .maxAttempts(5);
      CompletableFuture<CopyResult> running =
          CompletableFuture.supplyAsync(() -> job.build().run());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (db.queryLong("SELECT COUNT(*) FROM bounds_copy") < 600
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      proxy.cut();
      Thread.sleep(300);
      proxy.restore();
      CopyResult result = running.get(60, TimeUnit.SECONDS);
      assertThat(result.rowsCopied()).isEqualTo(3000);
    }
    assertThat(verifiesEqual(db, "bounds")).isTrue();
  }

  /**
   * Issue 17: the checkpoint named in a failure's message is the one stored, never ahead of it (the
   * copy stores its frontier on the way out, then names what the table holds).
   */
  @Test
  void theCheckpointNamedInAFailureIsTheStoredOne(TestDatabase db) throws Exception {
    createTables(db, "named", 1500);
    CopyJob.Builder job =
        job(db, "named")
            .lockWaitTimeout(Duration.ofSeconds(1))
            .maxAttempts(1)
            .checkpointInterval(Duration.ofHours(1));
    try (Connection locker = db.connect();
        Statement statement = locker.createStatement()) {
      locker.setAutoCommit(false);
      statement.executeQuery("SELECT * FROM named WHERE id = 1250 FOR UPDATE").close();
      DrayException e = failure(job);
      java.util.regex.Matcher named =
          java.util.regex.Pattern.compile("every chunk up to #(\\d+) is copied")
              .matcher(e.getMessage());
      assertThat(named.find()).as(e.getMessage()).isTrue();
      long stored =
          db.queryLong(
              "SELECT frontier_sequence FROM _dray_checkpoint WHERE job_id = '"
                  + job.build().settings().jobId()
                  + "'");
      assertThat(Long.parseLong(named.group(1))).isEqualTo(stored).isGreaterThan(0);
      assertCheckpointValid(db, "named", job.build().settings().jobId());
      locker.rollback();
    }
    // the chunks that committed above the stuck one are copied again on resume, and the
    // checkpoint's row count stays exact
    CopyResult resumed = job.maxAttempts(5).resume(true).build().run();
    assertThat(
            db.queryLong(
                "SELECT rows_copied FROM _dray_checkpoint WHERE job_id = '"
                    + resumed.jobId()
                    + "'"))
        .isEqualTo(1500);
    assertThat(verifiesEqual(db, "named")).isTrue();
  }

  private static void rollbackQuietly(Connection connection) {
    try {
      connection.rollback();
    } catch (Exception e) {
      // test cleanup
    }
  }
}
