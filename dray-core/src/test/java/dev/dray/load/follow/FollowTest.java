package dev.dray.load.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.TableName;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code load --follow} against a private MariaDB with a row-based binary log: values equal a fresh
 * load's for every type, a live writer's changes all arrive, resume continues exactly, a schema
 * change reloads the table, and what follow cannot do is refused up front.
 */
@Tag("slow")
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class FollowTest {
  private static final String SCHEMA = "follow_test";
  private static FollowFixture fixture;
  private static ConnectionConfig config;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    fixture = FollowFixture.start(SCHEMA);
    config = fixture.config;
  }

  @AfterAll
  static void stopServer() {
    if (fixture != null) {
      fixture.close();
    }
  }

  static void execute(String... statements) {
    fixture.execute(statements);
  }

  static LoadJob.Builder job(Path file, String... tables) {
    return fixture.job(file, tables);
  }

  static List<String> rows(Path file, String table, String orderBy) {
    return FollowFixture.rows(file, table, orderBy);
  }

  List<String> freshLoad(String table, String orderBy) {
    return fixture.freshLoad(dir, table, orderBy);
  }

  private static final String D65 = "9".repeat(35) + "." + "9".repeat(30);
  private static final String D38 = "9".repeat(28) + "." + "9".repeat(10);

  @Test
  void everyTypeAppliedEqualsAFreshLoad() throws Exception {
    execute(
        "SET sql_mode = ''",
        "CREATE TABLE types (id INT NOT NULL PRIMARY KEY,"
            + " ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT,"
            + " miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,"
            + " d10 DECIMAL(10,2), d38 DECIMAL(38,10), d65 DECIMAL(65,30), f FLOAT, db DOUBLE,"
            + " b1 BIT(1), b12 BIT(12), b64 BIT(64), dt DATE, dtm DATETIME(6), dt0 DATETIME,"
            + " ts TIMESTAMP(3) NULL, tm TIME(6), tm0 TIME, y YEAR, c CHAR(5), vc VARCHAR(50),"
            + " l1 VARCHAR(20) CHARACTER SET latin1, tx TEXT, bn BINARY(4), vb VARBINARY(10),"
            + " bl BLOB, e ENUM('a','b c'), st SET('x','y','z'), j JSON, g GEOMETRY, pt POINT)",
        "INSERT INTO types (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d10, d38, d65, f, db,"
            + " b1, b12, b64, dt, dtm, dt0, ts, tm, tm0, y, c, vc, l1, tx, bn, vb, bl, e, st, j,"
            + " g, pt) VALUES"
            + " (1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,"
            + " 9223372036854775807, 18446744073709551615, 99999999.99, "
            + D38
            + ", "
            + D65
            + ", 3.5, 1.7976931348623157E308, b'1', b'111111111111', b'"
            + "1".repeat(64)
            + "', '9999-12-31', '2026-02-28 23:59:59.999999', '2026-01-01 10:11:12',"
            + " '2038-01-19 03:14:07.999', '838:59:59.000000', '-12:00:01', 2155, 'abc',"
            + " 'emoji \uD83D\uDE00 ünïcode', 'caf\u00e9 \u20ac', REPEAT('long ', 1000),"
            + " 0x00010200, 0xff00, 0xdeadbeef00, 'b c', 'x,z', '{\"a\": [1, 2]}',"
            + " ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('POINT(3 4)')),"
            + " (2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,"
            + " -99999999.99, -"
            + D38
            + ", -"
            + D65
            + ", -1.25, 1e-300, b'0', b'0', b'0', '1000-01-01', '1000-01-01 00:00:00',"
            + " '1000-01-01 00:00:00', '1970-01-01 00:00:01', '-838:59:59.000000', '00:00:00',"
            + " 1901, '', '', '', '', 0x00, '', '', 'a', '', 'null',"
            + " ST_GeomFromText('LINESTRING(0 0, 1 1)'), ST_GeomFromText('POINT(0 0)')),"
            + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
            + " (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, '0000-00-00',"
            + " '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',"
            + " '100:30:00.5', '-00:00:01', 0, 'x', 'x', 'x', 'x', NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL),"
            + " (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, '2026-00-10', '2026-02-00 10:00:00.5',"
            + " '2026-02-00 10:00:00', NULL, '-00:00:01.25', NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    Path file = dir.resolve("types.duckdb");
    FollowFixture.Running running = fixture.running().start(job(file, "types").build());
    // every row again under new keys (row events carry every value), then updates and deletes
    execute(
        "SET sql_mode = ''",
        "INSERT INTO types SELECT id + 10, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d10, d38,"
            + " d65, f, db, b1, b12, b64, dt, dtm, dt0, ts, tm, tm0, y, c, vc, l1, tx, bn, vb, bl,"
            + " e, st, j, g, pt FROM types",
        "UPDATE types SET vc = 'changed', d10 = 1.5, tm = '-01:02:03.5' WHERE id = 1",
        "DELETE FROM types WHERE id = 3",
        "UPDATE types SET id = 24 WHERE id = 4",
        "UPDATE types SET id = 4, vc = 'moved back' WHERE id = 24",
        "INSERT INTO types (id) VALUES (30)",
        "DELETE FROM types WHERE id = 30");
    LoadResult result = running.stopWhenCaughtUp();

    assertThat(result.snapshotPosition()).isNotNull();
    assertThat(result.follow().changesApplied()).isEqualTo(11);
    List<String> followed = rows(file, "types", "id");
    assertThat(followed).hasSize(9);
    assertThat(followed).containsExactlyElementsOf(freshLoad("types", "id"));
  }

  @Test
  void liveWriterAcrossPartitionsEndsEqualToTheSource() throws Exception {
    execute(
        "CREATE TABLE accounts (id INT NOT NULL, region INT NOT NULL, counter BIGINT NOT NULL,"
            + " note VARCHAR(40), PRIMARY KEY (id, region)) PARTITION BY HASH (region) PARTITIONS 4",
        "CREATE TABLE events (id BIGINT NOT NULL PRIMARY KEY, payload VARCHAR(40))");
    StringBuilder seed = new StringBuilder("INSERT INTO accounts VALUES ");
    for (int i = 1; i <= 400; i++) {
      seed.append(i > 1 ? "," : "")
          .append("(")
          .append(i)
          .append(",")
          .append(i % 8)
          .append(",0,'a')");
    }
    execute(seed.toString());
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong increments = new AtomicLong();
    AtomicLong nextEvent = new AtomicLong(1);
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      writers.add(
          CompletableFuture.runAsync(
              () -> {
                try (Connection c = Connections.open(config);
                    Statement s = c.createStatement()) {
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (writing.get()) {
                    int id = random.nextInt(1, 401);
                    c.setAutoCommit(false);
                    s.executeUpdate("UPDATE accounts SET counter = counter + 1 WHERE id = " + id);
                    long event = nextEvent.getAndIncrement();
                    s.executeUpdate("INSERT INTO events VALUES (" + event + ", 'e" + event + "')");
                    if (event % 3 == 0) {
                      s.executeUpdate("DELETE FROM events WHERE id = " + (event - 1));
                    }
                    c.commit();
                    increments.incrementAndGet();
                  }
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    Thread.sleep(300);
    Path file = dir.resolve("live.duckdb");
    FollowFixture.Running running =
        fixture.running().start(job(file, "accounts", "events").build());
    Thread.sleep(1500);
    writing.set(false);
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    LoadResult result = running.stopWhenCaughtUp();

    assertThat(increments.get()).isGreaterThan(50);
    assertThat(result.follow().batches()).isGreaterThan(0);
    assertThat(result.follow().freshnessMax()).isGreaterThan(0);
    assertThat(rows(file, "accounts", "id, region"))
        .containsExactlyElementsOf(sourceRows("accounts", "id, region"));
    assertThat(rows(file, "events", "id")).containsExactlyElementsOf(sourceRows("events", "id"));
    // the exact invariant: every acknowledged increment is in DuckDB once
    assertThat(
            rows(file, "accounts", "id, region").stream()
                .mapToLong(r -> Long.parseLong(r.replaceAll(".*counter=(\\d+).*", "$1")))
                .sum())
        .isEqualTo(increments.get());
  }

  /** The source table's rows through a fresh load, so both sides are rendered alike. */
  List<String> sourceRows(String table, String orderBy) {
    return freshLoad(table, orderBy);
  }

  @Test
  void resumeContinuesFromTheStoredPositionWithoutReloading() throws Exception {
    execute(
        "CREATE TABLE counters (id INT NOT NULL PRIMARY KEY, n BIGINT NOT NULL)",
        "INSERT INTO counters VALUES (1, 0), (2, 0)");
    Path file = dir.resolve("resume.duckdb");
    FollowFixture.Running first = fixture.running().start(job(file, "counters").build());
    execute("UPDATE counters SET n = n + 1 WHERE id = 1", "INSERT INTO counters VALUES (3, 7)");
    LoadResult stopped = first.stopWhenCaughtUp();
    assertThat(stopped.follow().stoppedBecause()).isEqualTo("signal");
    // changes while nothing follows
    execute(
        "UPDATE counters SET n = n + 10 WHERE id = 1",
        "DELETE FROM counters WHERE id = 2",
        "INSERT INTO counters VALUES (4, 4)");
    FollowFixture.Running second =
        fixture.running().start(job(file, "counters").resume(true).build());
    LoadResult resumed = second.stopWhenCaughtUp();

    assertThat(resumed.rowsThisRun()).isZero(); // no reload
    assertThat(resumed.follow().start()).isEqualTo(stopped.follow().position());
    assertThat(rows(file, "counters", "id")).containsExactlyElementsOf(freshLoad("counters", "id"));
    assertThat(rows(file, "counters", "id"))
        .containsExactly("id=1, n=11", "id=3, n=7", "id=4, n=4");
  }

  @Test
  void followForStopsOnItsOwn() {
    execute("CREATE TABLE timed (id INT NOT NULL PRIMARY KEY)", "INSERT INTO timed VALUES (1)");
    Path file = dir.resolve("timed.duckdb");
    LoadResult result =
        LoadJob.builder()
            .source(config)
            .table(new TableName(SCHEMA, "timed"))
            .target(file)
            .follow(FollowSettings.defaults().withFollowFor(Duration.ofMillis(700)))
            .build()
            .run();
    assertThat(result.follow().stoppedBecause()).isEqualTo("follow-for");
    assertThat(result.follow().seconds()).isBetween(0.6, 30.0);
  }

  @Test
  void aTableWithoutAKeyIsRefusedBeforeLoading() {
    execute("CREATE TABLE nokey (a INT, b INT)", "INSERT INTO nokey VALUES (1, 2)");
    Path file = dir.resolve("nokey.duckdb");
    assertThatThrownBy(() -> job(file, "nokey").build().run())
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("cannot follow " + SCHEMA + ".nokey")
        .hasMessageContaining("no primary key");
    assertThat(file).doesNotExist();
  }

  @Test
  void aSchemaChangeReloadsTheTableAndFollowCarriesOn() throws Exception {
    execute(
        "CREATE TABLE shapes (id INT NOT NULL PRIMARY KEY, v INT) PARTITION BY RANGE (id)"
            + " (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200))",
        "CREATE TABLE bystander (id INT NOT NULL PRIMARY KEY, v INT)",
        "INSERT INTO shapes VALUES (1, 1), (150, 150)",
        "INSERT INTO bystander VALUES (1, 1)");
    Path file = dir.resolve("ddl.duckdb");
    FollowFixture.Running running =
        fixture.running().start(job(file, "shapes", "bystander").build());
    execute(
        "UPDATE shapes SET v = 2 WHERE id = 1",
        "ALTER TABLE shapes ADD COLUMN w VARCHAR(10) DEFAULT 'new'",
        "UPDATE bystander SET v = 2 WHERE id = 1",
        "INSERT INTO shapes VALUES (2, 2, 'two')",
        "ALTER TABLE shapes TRUNCATE PARTITION p1",
        "INSERT INTO shapes VALUES (160, 160, 'x')",
        "TRUNCATE TABLE bystander",
        "INSERT INTO bystander VALUES (5, 5)");
    LoadResult result = running.stopWhenCaughtUp();

    // ALTER, TRUNCATE PARTITION, TRUNCATE: a reload's snapshot may already hold the next change
    assertThat(result.follow().reloads()).isBetween(2, 3);
    assertThat(rows(file, "shapes", "id")).containsExactlyElementsOf(freshLoad("shapes", "id"));
    assertThat(rows(file, "shapes", "id"))
        .containsExactly("id=1, v=2, w=new", "id=2, v=2, w=two", "id=160, v=160, w=x");
    assertThat(rows(file, "bystander", "id")).containsExactly("id=5, v=5");
  }

  @Test
  void partitionMaintenanceWritesNoRowEventsButReloadsTheTable() throws Exception {
    execute(
        "CREATE TABLE parts (id INT NOT NULL PRIMARY KEY, v INT) PARTITION BY RANGE (id)"
            + " (PARTITION p0 VALUES LESS THAN (100), PARTITION p1 VALUES LESS THAN (200))",
        "CREATE TABLE marker (id INT NOT NULL PRIMARY KEY, n INT)",
        "INSERT INTO parts VALUES (1, 1), (150, 150)",
        "INSERT INTO marker VALUES (1, 0)");
    Path file = dir.resolve("parts.duckdb");
    FollowFixture.Running running = fixture.running().start(job(file, "parts", "marker").build());
    String[][] steps = {
      {
        "ALTER TABLE parts ADD PARTITION (PARTITION p2 VALUES LESS THAN (300))",
        "INSERT INTO parts VALUES (250, 250), (160, 160)"
      },
      {"ALTER TABLE parts DROP PARTITION p0", "INSERT INTO parts VALUES (260, 260)"},
      {"ALTER TABLE parts TRUNCATE PARTITION p1", "UPDATE parts SET v = 7 WHERE id = 250"}
    };
    for (String[] step : steps) {
      // a change to another table after each statement: once it is applied, the reload is done
      // and the next statement comes after the reload's snapshot
      execute(step[0], step[1], "UPDATE marker SET n = n + 1");
      assertThat(running.awaitCaughtUp()).isTrue();
    }
    LoadResult result = running.stopWhenCaughtUp();

    assertThat(result.follow().reloads()).isEqualTo(3);
    assertThat(result.follow().schemaChanges())
        .hasSize(3)
        .anySatisfy(c -> assertThat(c).contains("ADD PARTITION"))
        .anySatisfy(c -> assertThat(c).contains("DROP PARTITION p0"))
        .anySatisfy(c -> assertThat(c).contains("TRUNCATE PARTITION p1"));
    assertThat(rows(file, "parts", "id")).containsExactly("id=250, v=7", "id=260, v=260");
    assertThat(rows(file, "parts", "id")).containsExactlyElementsOf(freshLoad("parts", "id"));
    assertThat(rows(file, "marker", "id")).containsExactly("id=1, n=3");
  }

  @Test
  void withOnDdlFailASchemaChangeStopsWithAClearMessage() throws Exception {
    execute(
        "CREATE TABLE strict (id INT NOT NULL PRIMARY KEY, v INT)",
        "INSERT INTO strict VALUES (1, 1)");
    Path file = dir.resolve("strict.duckdb");
    FollowFixture.Running running =
        fixture
            .running()
            .start(
                job(file, "strict")
                    .follow(
                        FollowSettings.defaults()
                            .withApplyInterval(Duration.ofMillis(100))
                            .withOnSchemaChange(FollowSettings.OnSchemaChange.FAIL))
                    .build());
    execute("UPDATE strict SET v = 2 WHERE id = 1", "ALTER TABLE strict ADD COLUMN w INT");
    assertThatThrownBy(() -> running.result.join())
        .hasRootCauseInstanceOf(DrayException.class)
        .rootCause()
        .hasMessageContaining("schema change on followed table " + SCHEMA + ".strict")
        .hasMessageContaining("--on-ddl fail");
    assertThat(rows(file, "strict", "id")).containsExactly("id=1, v=2");
  }

  @Test
  void resumeAfterTheBinaryLogWasPurgedSaysAFreshLoadIsNeeded() throws Exception {
    execute("CREATE TABLE purged (id INT NOT NULL PRIMARY KEY)", "INSERT INTO purged VALUES (1)");
    Path file = dir.resolve("purged.duckdb");
    fixture.running().start(job(file, "purged").build()).stopWhenCaughtUp();
    execute("INSERT INTO purged VALUES (2)", "FLUSH BINARY LOGS");
    String current = fixture.sourcePosition().file();
    fixture.purgeBinaryLogsTo(current);

    // bounded: a resume that wrongly reads on stops by itself and fails the assertion
    FollowSettings bounded =
        FollowSettings.defaults()
            .withApplyInterval(Duration.ofMillis(200))
            .withFollowFor(Duration.ofSeconds(20));
    long started = System.nanoTime();
    assertThatThrownBy(() -> job(file, "purged").follow(bounded).resume(true).build().run())
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("was purged")
        .hasMessageContaining("a fresh start is needed (run again without --resume)");
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(15));
    assertThat(rows(file, "purged", "id")).containsExactly("id=1"); // left as it was
  }

  @Test
  void aUserWithoutReplicationGrantsIsRefusedNamingTheGrant() {
    execute(
        "CREATE TABLE granted (id INT NOT NULL PRIMARY KEY)",
        "CREATE USER IF NOT EXISTS 'follow_reader'@'127.0.0.1' IDENTIFIED BY 'pw'",
        "GRANT SELECT, LOCK TABLES ON " + SCHEMA + ".* TO 'follow_reader'@'127.0.0.1'");
    Path file = dir.resolve("grants.duckdb");
    assertThatThrownBy(
            () ->
                LoadJob.builder()
                    .source(new ConnectionConfig(config.url(), "follow_reader", "pw"))
                    .table(new TableName(SCHEMA, "granted"))
                    .target(file)
                    .follow(FollowSettings.defaults())
                    .build()
                    .run())
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("lacks the grant")
        .hasMessageContaining("REPLICATION SLAVE");
    assertThat(file).doesNotExist();
  }

  @Test
  void rowImagesThatAreNotFullAreRefused() {
    execute("CREATE TABLE minimal (id INT NOT NULL PRIMARY KEY)");
    Path file = dir.resolve("minimal.duckdb");
    execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
    try {
      assertThatThrownBy(() -> job(file, "minimal").build().run())
          .isInstanceOf(DrayException.class)
          .hasMessageContaining("cannot follow changes: ")
          .hasMessageContaining("FULL");
    } finally {
      execute("SET GLOBAL binlog_row_image = 'FULL'");
    }
    assertThat(file).doesNotExist();
  }
}
