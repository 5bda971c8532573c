package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.EmbeddedMariaDb;
import dev.dray.db.TableName;
import dev.dray.run.Cancellation;
import dev.dray.run.ThrottleCondition;
import dev.dray.run.ThrottleConditions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replica-lag throttling against a real replicating pair: an embedded MariaDB primary with a binary
 * log and an embedded MariaDB replica that replicates from it over TCP (GTID). The copies run on
 * the primary (source and target there, as in {@link CopyThrottleTest}); their rows replicate. Lag
 * is made for real: a table lock on the replica that blocks its SQL thread, delayed replication
 * ({@code MASTER_DELAY}), a stopped SQL thread. The lag is read as root, and in one test as an
 * account of the replica's own with a password and only REPLICA MONITOR; wrong credentials for the
 * replica fail the copy up front. Always uses its own pair, whatever {@code DRAY_TEST_MARIADB_URL}
 * says.
 */
@Tag("slow")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReplicaLagThrottleTest {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLagThrottleTest.class);
  private static final int ROWS = 2000;
  private static final Duration MAX_LAG = Duration.ofSeconds(1);
  private static final String SCHEMA = "dray_replica_lag";
  private static final String REPL_USER = "dray_repl";
  private static final String REPL_PASSWORD = "dray-repl-pw";

  /** An account on the replica that may read its replication status and nothing else. */
  private static final String MONITOR_USER = "dray_lag_monitor";

  private static final String MONITOR_PASSWORD = "Lag-Monitor-Pw-5521";
  private static final String WRONG_PASSWORD = "Wrong-Monitor-Pw-7740";

  /**
   * An account with the MySQL-style grant REPLICATION CLIENT, which MariaDB 10.5+ calls BINLOG
   * MONITOR.
   */
  private static final String CLIENT_USER = "dray_lag_client";

  private static final Duration AWAIT = Duration.ofSeconds(30);

  /** How soon a copy whose replica cannot be checked must fail. */
  private static final Duration FAIL_WITHIN = Duration.ofSeconds(10);

  /** How long a test watches a held-back copy to see that it stays held back. */
  private static final Duration HOLD = Duration.ofMillis(1500);

  /** Small buffers: two servers more in the test JVM, and nothing big to hold. */
  private static final List<String> SMALL =
      List.of("--innodb-buffer-pool-size=64M", "--innodb-log-file-size=48M");

  private static EmbeddedMariaDb primary;
  private static EmbeddedMariaDb replica;
  private static ConnectionConfig primaryConfig;
  private static ConnectionConfig replicaConfig;

  /** The replica reached as {@link #MONITOR_USER}, with a URL that names no user or database. */
  private static ConnectionConfig replicaAsMonitor;

  @BeforeAll
  static void startReplicatingPair() throws Exception {
    long started = System.nanoTime();
    List<String> primaryArgs =
        concat(SMALL, List.of("--server-id=1", "--log-bin=primary-bin", "--binlog-format=ROW"));
    List<String> replicaArgs =
        concat(SMALL, List.of("--server-id=2", "--relay-log=replica-relay-bin"));
    // both at once: each start takes ~10 s
    CompletableFuture<EmbeddedMariaDb> startingPrimary =
        CompletableFuture.supplyAsync(() -> EmbeddedMariaDb.start(primaryArgs));
    CompletableFuture<EmbeddedMariaDb> startingReplica =
        CompletableFuture.supplyAsync(() -> EmbeddedMariaDb.start(replicaArgs));
    try {
      replica = startingReplica.get(4, TimeUnit.MINUTES);
    } finally {
      primary = startingPrimary.get(4, TimeUnit.MINUTES); // @AfterAll stops what started
    }
    LOG.info("primary and replica started in {} ms", (System.nanoTime() - started) / 1_000_000);
    primaryConfig = primary.connectionConfig("mysql");
    replicaConfig = replica.connectionConfig("mysql");

    execute(
        primaryConfig,
        "CREATE USER '" + REPL_USER + "'@'127.0.0.1' IDENTIFIED BY '" + REPL_PASSWORD + "'",
        "GRANT REPLICATION SLAVE ON *.* TO '" + REPL_USER + "'@'127.0.0.1'");
    // replicate from here on: the servers' own setup (root accounts) is not replayed
    String start = queryString(primaryConfig, "SELECT @@GLOBAL.gtid_binlog_pos");
    execute(
        replicaConfig,
        "SET GLOBAL gtid_slave_pos = '" + start + "'",
        "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = "
            + primary.port()
            + ", MASTER_USER = '"
            + REPL_USER
            + "', MASTER_PASSWORD = '"
            + REPL_PASSWORD
            + "', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
        "START SLAVE");
    awaitReplicaStatus(
        "both replication threads running",
        s -> "Yes".equals(s.get("Slave_IO_Running")) && "Yes".equals(s.get("Slave_SQL_Running")));

    execute(
        primaryConfig,
        "CREATE DATABASE " + SCHEMA + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
        "CREATE TABLE " + SCHEMA + ".blocker (id INT NOT NULL PRIMARY KEY)",
        // accounts are created on the primary and replicate, as an operator would do it
        "CREATE USER '" + MONITOR_USER + "'@'127.0.0.1' IDENTIFIED BY '" + MONITOR_PASSWORD + "'",
        "GRANT REPLICA MONITOR ON *.* TO '" + MONITOR_USER + "'@'127.0.0.1'",
        "CREATE USER '" + CLIENT_USER + "'@'127.0.0.1' IDENTIFIED BY '" + MONITOR_PASSWORD + "'",
        "GRANT REPLICATION CLIENT ON *.* TO '" + CLIENT_USER + "'@'127.0.0.1'");
    replicaAsMonitor = new ConnectionConfig(replica.jdbcUrl(""), MONITOR_USER, MONITOR_PASSWORD);
    awaitReplicated();
    LOG.info("replicating pair ready in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  @AfterAll
  static void stopReplicatingPair() {
    long started = System.nanoTime();
    try {
      if (replica != null) {
        replica.close();
      }
    } finally {
      if (primary != null) {
        primary.close();
      }
      LOG.info("primary and replica stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
    }
  }

  /** Every test starts from a healthy replica that has applied everything. */
  @BeforeEach
  void replicaCaughtUp() throws Exception {
    awaitReplicated();
    awaitReplicaStatus("caught up (Seconds_Behind_Master 0)", s -> "0".equals(lag(s)));
  }

  /**
   * Locks the replica's {@code blocker} table and inserts {@code value} into it on the primary: the
   * replica's SQL thread then waits at that event until the returned connection unlocks or closes.
   */
  private Connection blockReplicaSqlThread(int value) throws SQLException {
    Connection holder = Connections.open(replica.connectionConfig(SCHEMA));
    try (Statement statement = holder.createStatement()) {
      statement.execute("LOCK TABLES blocker WRITE");
      execute(primaryConfig, "INSERT INTO " + SCHEMA + ".blocker VALUES (" + value + ")");
      return holder;
    } catch (SQLException | RuntimeException e) {
      holder.close();
      throw e;
    }
  }

  private static void unlockTables(Connection holder) throws SQLException {
    try (Statement statement = holder.createStatement()) {
      statement.execute("UNLOCK TABLES");
    }
  }

  @Test
  void pausesWhileTheReplicaSqlThreadIsBlockedAndResumesOnceItCatchesUp() throws Exception {
    createTables("locked");
    // a lock on the replica blocks its SQL thread at the next event that touches the table
    Connection holder = blockReplicaSqlThread(1);
    try {
      assertHeldBackWhileLagging("locked", () -> unlockTables(holder));
    } finally {
      holder.close(); // releases the lock if the test failed before
    }
    assertThat(queryLong(replica.connectionConfig(SCHEMA), "SELECT COUNT(*) FROM blocker"))
        .as("the blocked event was applied once the lock was released")
        .isEqualTo(1);
  }

  @Test
  void pausesWhileADelayedReplicaLagsAndResumesWhenTheDelayIsLifted() throws Exception {
    createTables("delay_lag");
    try {
      execute(replicaConfig, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 3600", "START SLAVE");
      awaitReplicaStatus(
          "replicating with MASTER_DELAY 3600",
          s -> "Yes".equals(s.get("Slave_SQL_Running")) && "3600".equals(s.get("SQL_Delay")));
      execute(primaryConfig, "INSERT INTO " + SCHEMA + ".blocker VALUES (2)");
      assertHeldBackWhileLagging("delay_lag", ReplicaLagThrottleTest::liftDelay);
    } finally {
      liftDelay();
    }
  }

  @Test
  void pausesWhileTheReplicaDoesNotReplicateAndResumesWhenItDoes() throws Exception {
    createTables("stopped");
    ThrottleCondition condition = ThrottleConditions.replicaLag(replicaConfig, MAX_LAG);
    Cancellation cancellation = new Cancellation();
    try {
      execute(replicaConfig, "STOP SLAVE SQL_THREAD");
      Map<String, String> status =
          awaitReplicaStatus(
              "SQL thread stopped", s -> "No".equals(s.get("Slave_SQL_Running")) && lag(s) == null);
      assertThat(status.get("Slave_IO_Running")).isEqualTo("Yes");
      assertThat(condition.check())
          .as("condition on a replica whose SQL thread stopped (Seconds_Behind_Master NULL)")
          .contains("replica " + replicaConfig.safeUrl() + " is not replicating");

      AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
      CompletableFuture<CopyResult> result = start(job("stopped").build(), cancellation, progress);
      CopyProgress held = awaitThrottled(result, progress, "is not replicating");
      Thread.sleep(HOLD.toMillis());
      CopyProgress stillHeld = progress.get().get();
      assertThat(stillHeld.throttleReason())
          .isEqualTo("replica " + replicaConfig.safeUrl() + " is not replicating");
      assertThat(held.rowsCopied()).as("rows copied while the replica did not replicate").isZero();
      assertThat(stillHeld.rowsCopied()).as("rows copied after %s more", HOLD).isZero();
      assertThat(countOnPrimary("stopped_copy")).isZero();
      assertThat(stillHeld.throttledSeconds()).isGreaterThan(1.0);

      execute(replicaConfig, "START SLAVE");
      CopyResult done = finish(result);
      assertThat(done.rowsCopied()).isEqualTo(ROWS);
      assertThat(done.throttledSeconds()).isGreaterThanOrEqualTo(stillHeld.throttledSeconds());
      assertCopied("stopped");
    } finally {
      cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, "test over"));
      execute(replicaConfig, "START SLAVE");
      condition.close();
    }
  }

  @Test
  void aServerWithoutReplicaStatusCountsAsNotReplicating() {
    ThrottleCondition condition = ThrottleConditions.replicaLag(primaryConfig, MAX_LAG);
    try {
      assertThat(condition.check())
          .contains("replica " + primaryConfig.safeUrl() + " is not replicating");
    } finally {
      condition.close();
    }
  }

  @Test
  void aCaughtUpReplicaDoesNotThrottle() throws Exception {
    createTables("caught_up");
    ThrottleCondition condition = ThrottleConditions.replicaLag(replicaConfig, MAX_LAG);
    try {
      assertThat(condition.check()).as("condition on a caught-up replica").isEmpty();
    } finally {
      condition.close();
    }
    Cancellation cancellation = new Cancellation();
    CopyResult done;
    try {
      done = finish(start(job("caught_up").build(), cancellation, new AtomicReference<>()));
    } finally {
      cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, "test over"));
    }
    assertThat(done.rowsCopied()).isEqualTo(ROWS);
    // A replica that keeps up does not hold the copy back; on a busy CI machine it may fall a
    // second behind while it applies the copy's own chunks, hence a margin rather than exactly 0.
    assertThat(done.throttledSeconds())
        .as("time held back by a replica that kept up (lag 0 <= %s s)", MAX_LAG.toSeconds())
        .isLessThan(2.0);
    assertCopied("caught_up");
  }

  /**
   * The replica reached with an account of its own (a password, only REPLICA MONITOR): the copy
   * reads the lag as that account, is held back while the replica lags and goes on once it caught
   * up.
   */
  @Test
  void readsTheLagWithTheReplicasOwnAccount() throws Exception {
    try (Connection monitor = Connections.open(replicaAsMonitor);
        Statement statement = monitor.createStatement()) {
      assertThatThrownBy(
              () -> statement.executeQuery("SELECT COUNT(*) FROM " + SCHEMA + ".blocker"))
          .as("the monitor account reads no table")
          .hasMessageContaining("denied");
    }
    createTables("monitored");
    Connection holder = blockReplicaSqlThread(3);
    try {
      assertHeldBackWhileLagging("monitored", replicaAsMonitor, () -> unlockTables(holder));
    } finally {
      holder.close();
    }
  }

  /**
   * Wrong credentials for the replica, or an account that may not read the replication status, fail
   * the copy before it starts (not a copy held back forever by "cannot check replica lag"), with
   * one line that names the replica and the user and never the password.
   */
  @Test
  void aReplicaThatCannotBeCheckedFailsTheCopyAtOnce() throws Exception {
    createTables("unchecked");
    ConnectionConfig wrongPassword = replicaAsMonitor.withPassword(WRONG_PASSWORD);
    ConnectionConfig clientOnly =
        new ConnectionConfig(replica.jdbcUrl(""), CLIENT_USER, MONITOR_PASSWORD);
    // what the throttle condition alone would say, again and again
    ThrottleCondition condition = ThrottleConditions.replicaLag(wrongPassword, MAX_LAG);
    try {
      assertThat(condition.check().orElse("")).startsWith("cannot check replica lag of ");
    } finally {
      condition.close();
    }

    DrayException denied = copyFailure(job("unchecked", wrongPassword).build());
    LOG.info("a wrong replica password: {}", denied.getMessage());
    assertThat(denied.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
    assertThat(denied.getMessage())
        .startsWith(
            "replica: cannot connect to " + wrongPassword.safeUrl() + " as " + MONITOR_USER + ": ")
        .contains("Access denied")
        .doesNotContain(WRONG_PASSWORD)
        .doesNotContain(MONITOR_PASSWORD)
        .doesNotContain("\n");

    DrayException noPrivilege = copyFailure(job("unchecked", clientOnly).build());
    LOG.info("a replica account without REPLICA MONITOR: {}", noPrivilege.getMessage());
    assertThat(noPrivilege.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
    assertThat(noPrivilege.getMessage())
        .startsWith(
            "replica: cannot read the replication status of "
                + clientOnly.safeUrl()
                + " as "
                + CLIENT_USER
                + ": ")
        .contains("SLAVE MONITOR")
        .doesNotContain(MONITOR_PASSWORD)
        .doesNotContain("\n");

    assertThatThrownBy(() -> job("unchecked", wrongPassword).build().plan())
        .as("--dry-run checks the replica too")
        .isInstanceOf(DrayException.class)
        .hasMessageStartingWith("replica: cannot connect to ");
    assertThat(countOnPrimary("unchecked_copy")).isZero();
  }

  /** Runs a copy that must fail before its workers start, within {@link #FAIL_WITHIN}. */
  private static DrayException copyFailure(CopyJob job) throws Exception {
    AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
    Cancellation cancellation = new Cancellation();
    CompletableFuture<CopyResult> result = start(job, cancellation, progress);
    try {
      CopyResult done = result.get(FAIL_WITHIN.toSeconds(), TimeUnit.SECONDS);
      throw new AssertionError("the copy did not fail: " + done);
    } catch (TimeoutException e) {
      Supplier<CopyProgress> supplier = progress.get();
      throw new AssertionError(
          "the copy did not fail within "
              + FAIL_WITHIN
              + "; progress: "
              + (supplier == null ? "not started" : supplier.get()),
          e);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).as("why the copy failed").isInstanceOf(DrayException.class);
      assertThat(progress.get()).as("the copy's workers started").isNull();
      return (DrayException) e.getCause();
    } finally {
      cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, "test over"));
    }
  }

  /**
   * The replica is about to lag (its SQL thread is stuck behind an event written on the primary).
   * Waits until it lags more than {@link #MAX_LAG}, runs a copy that must stay held back with the
   * lag as its reason, calls {@code release} and expects the copy to finish with every row.
   */
  private static void assertHeldBackWhileLagging(String name, SqlAction release) throws Exception {
    assertHeldBackWhileLagging(name, replicaConfig, release);
  }

  /**
   * {@link #assertHeldBackWhileLagging(String, SqlAction)} with the lag read as {@code watched}.
   */
  private static void assertHeldBackWhileLagging(
      String name, ConnectionConfig watched, SqlAction release) throws Exception {
    Map<String, String> lagging =
        awaitReplicaStatus(
            "Seconds_Behind_Master above " + MAX_LAG.toSeconds(),
            s -> lag(s) != null && Long.parseLong(lag(s)) > MAX_LAG.toSeconds());
    assertThat(lagging.get("Slave_SQL_Running")).isEqualTo("Yes");
    ThrottleCondition condition = ThrottleConditions.replicaLag(watched, MAX_LAG);
    Cancellation cancellation = new Cancellation();
    try {
      assertThat(condition.check().orElse(""))
          .as("condition on the lagging replica")
          .startsWith("replica " + watched.safeUrl() + " lags ");
      condition.close(); // from here on, the copy's own check is the only one

      AtomicReference<Supplier<CopyProgress>> progress = new AtomicReference<>();
      CompletableFuture<CopyResult> result =
          start(job(name, watched).build(), cancellation, progress);
      CopyProgress held = awaitThrottled(result, progress, " lags ");
      long firstLag = reportedLag(held.throttleReason());
      assertThat(firstLag).isGreaterThan(MAX_LAG.toSeconds());
      Thread.sleep(HOLD.toMillis());
      // the condition is polled: the lag it reports grows while the replica stays stuck
      CopyProgress stillHeld = awaitThrottled(result, progress, " lags ");
      long deadline = System.nanoTime() + AWAIT.toNanos();
      while (reportedLag(stillHeld.throttleReason()) <= firstLag && System.nanoTime() < deadline) {
        Thread.sleep(50);
        stillHeld = awaitThrottled(result, progress, " lags ");
      }
      assertThat(reportedLag(stillHeld.throttleReason()))
          .as("the lag reported after %s more (%s)", HOLD, stillHeld.throttleReason())
          .isGreaterThan(firstLag);
      assertThat(held.rowsCopied()).as("rows copied while the replica lagged").isZero();
      assertThat(stillHeld.rowsCopied()).as("rows copied after %s more", HOLD).isZero();
      assertThat(countOnPrimary(name + "_copy")).isZero();
      assertThat(stillHeld.throttledSeconds()).isGreaterThan(1.0);
      assertThat(
              queryLong(
                  replicaConfig,
                  "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '"
                      + watched.user()
                      + "'"))
          .as("sessions of %s on the replica: the copy's lag check", watched.user())
          .isPositive();

      release.run();
      CopyResult done = finish(result);
      assertThat(done.rowsCopied()).isEqualTo(ROWS);
      assertThat(done.throttledSeconds()).isGreaterThanOrEqualTo(stillHeld.throttledSeconds());
      assertCopied(name);
    } finally {
      cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, "test over"));
      condition.close();
    }
  }

  private static void liftDelay() throws SQLException {
    execute(replicaConfig, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 0", "START SLAVE");
  }

  private static final Pattern LAG = Pattern.compile(" lags (\\d+) s > (\\d+) s$");

  private static long reportedLag(String reason) {
    Matcher matcher = LAG.matcher(reason);
    assertThat(matcher.find()).as("lag reason %s", reason).isTrue();
    assertThat(matcher.group(2)).isEqualTo(String.valueOf(MAX_LAG.toSeconds()));
    return Long.parseLong(matcher.group(1));
  }

  // --- the copy ---

  private static void createTables(String name) throws Exception {
    execute(
        primary.connectionConfig(SCHEMA),
        "CREATE TABLE "
            + name
            + " (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NOT NULL)",
        "INSERT INTO " + name + " SELECT seq, seq % 100, MD5(seq) FROM seq_1_to_" + ROWS,
        "CREATE TABLE " + name + "_copy LIKE " + name);
    awaitReplicated();
  }

  private static CopyJob.Builder job(String name) {
    return job(name, replicaConfig);
  }

  private static CopyJob.Builder job(String name, ConnectionConfig watched) {
    return CopyJob.builder()
        .source(primary.connectionConfig(SCHEMA))
        .sourceTable(new TableName(SCHEMA, name))
        .targetTable(new TableName(SCHEMA, name + "_copy"))
        .chunkRows(100)
        .workers(2)
        .replica(watched)
        .maxReplicaLag(MAX_LAG);
  }

  private static CompletableFuture<CopyResult> start(
      CopyJob job, Cancellation cancellation, AtomicReference<Supplier<CopyProgress>> progress) {
    return CopyThrottleTest.start(job, cancellation, progress);
  }

  /** Waits until the copy is held back for a reason containing {@code reasonPart}. */
  private static CopyProgress awaitThrottled(
      CompletableFuture<CopyResult> result,
      AtomicReference<Supplier<CopyProgress>> progress,
      String reasonPart)
      throws InterruptedException {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    CopyProgress last = null;
    while (System.nanoTime() < deadline) {
      if (result.isDone()) {
        throw new AssertionError(
            "the copy ended without being held back for '"
                + reasonPart
                + "': "
                + (result.isCompletedExceptionally() ? "failed" : result.join()));
      }
      Supplier<CopyProgress> supplier = progress.get();
      if (supplier != null) {
        last = supplier.get();
        if (last.throttleReason() != null && last.throttleReason().contains(reasonPart)) {
          return last;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "the copy was not held back for '" + reasonPart + "' within " + AWAIT + "; last: " + last);
  }

  private static CopyResult finish(CompletableFuture<CopyResult> result) throws Exception {
    try {
      return result.get(AWAIT.toSeconds() * 2, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "the copy did not finish within "
              + AWAIT.toSeconds() * 2
              + " s once the replica kept up; "
              + brief(replicaStatus()),
          e);
    }
  }

  /** Target equals source on the primary, and (once replicated) the replica's target too. */
  private static void assertCopied(String name) throws Exception {
    String summary = "SELECT COUNT(*), SUM(a), SUM(CRC32(CONCAT_WS('|', id, a, b))) FROM ";
    ConnectionConfig onPrimary = primary.connectionConfig(SCHEMA);
    assertThat(queryString(onPrimary, summary + name + "_copy"))
        .as("count, sum and checksum of the copy")
        .isEqualTo(queryString(onPrimary, summary + name))
        .startsWith(ROWS + "|");
    VerifyResult verified =
        VerifyJob.builder()
            .source(onPrimary)
            .sourceTable(new TableName(SCHEMA, name))
            .targetTable(new TableName(SCHEMA, name + "_copy"))
            .build()
            .run();
    assertThat(verified.equal()).as("verify on the primary: %s", verified).isTrue();
    awaitReplicated();
    VerifyResult onReplica =
        VerifyJob.builder()
            .source(onPrimary)
            .sourceTable(new TableName(SCHEMA, name))
            .target(replica.connectionConfig(SCHEMA))
            .targetTable(new TableName(SCHEMA, name + "_copy"))
            .build()
            .run();
    assertThat(onReplica.equal()).as("verify the replica's copy: %s", onReplica).isTrue();
    assertThat(onReplica.targetRows()).isEqualTo(ROWS);
  }

  private static long countOnPrimary(String table) throws SQLException {
    return queryLong(primary.connectionConfig(SCHEMA), "SELECT COUNT(*) FROM " + table);
  }

  // --- replication ---

  private static String lag(Map<String, String> status) {
    return status.get("Seconds_Behind_Master");
  }

  /** SHOW SLAVE STATUS of the replica as column → value (empty when it has none). */
  private static Map<String, String> replicaStatus() throws SQLException {
    Map<String, String> status = new LinkedHashMap<>();
    try (Connection connection = Connections.open(replicaConfig);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW SLAVE STATUS")) {
      if (rs.next()) {
        ResultSetMetaData meta = rs.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          status.put(meta.getColumnLabel(i), rs.getString(i));
        }
      }
    }
    return status;
  }

  private static Map<String, String> awaitReplicaStatus(
      String what, Predicate<Map<String, String>> condition) throws Exception {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    Map<String, String> status = replicaStatus();
    while (!condition.test(status)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the replica was not " + what + " within " + AWAIT + "; " + brief(status));
      }
      Thread.sleep(50);
      status = replicaStatus();
    }
    return status;
  }

  private static String brief(Map<String, String> status) {
    if (status.isEmpty()) {
      return "SHOW SLAVE STATUS is empty";
    }
    StringBuilder text = new StringBuilder("SHOW SLAVE STATUS:");
    for (String column :
        List.of(
            "Slave_IO_Running",
            "Slave_SQL_Running",
            "Seconds_Behind_Master",
            "SQL_Delay",
            "Slave_SQL_Running_State",
            "Gtid_IO_Pos",
            "Last_IO_Error",
            "Last_SQL_Error")) {
      text.append(' ').append(column).append('=').append(status.get(column)).append(';');
    }
    return text.toString();
  }

  /** Waits until the replica has applied everything the primary has logged so far. */
  private static void awaitReplicated() throws Exception {
    String position = queryString(primaryConfig, "SELECT @@GLOBAL.gtid_binlog_pos");
    long waited =
        queryLong(
            replicaConfig,
            "SELECT MASTER_GTID_WAIT('" + position + "', " + AWAIT.toSeconds() + ")");
    if (waited != 0) {
      throw new AssertionError(
          "the replica did not reach the primary's GTID position "
              + position
              + " within "
              + AWAIT
              + "; "
              + brief(replicaStatus()));
    }
  }

  // --- SQL ---

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  private static void execute(ConnectionConfig server, String... statements) throws SQLException {
    try (Connection connection = Connections.open(server);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static long queryLong(ConnectionConfig server, String sql) throws SQLException {
    return Long.parseLong(queryString(server, sql));
  }

  /** The first row of a query, its columns joined by '|'. */
  private static String queryString(ConnectionConfig server, String sql) throws SQLException {
    try (Connection connection = Connections.open(server);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("no row from " + sql);
      }
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        row.append(i > 1 ? "|" : "").append(rs.getString(i));
      }
      return row.toString();
    }
  }

  private static List<String> concat(List<String> first, List<String> second) {
    return Stream.concat(first.stream(), second.stream()).toList();
  }
}
