package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.BinlogServer;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** gh-ost's {@code --max-load} and {@code --critical-load} on {@code copy} and {@code load}. */
@ExtendWith(MariaDbExtension.class)
class LoadLimitsTest {
  @TempDir Path dir;

  @BeforeAll
  static void createTables(TestDatabase db) {
    db.execute(
        "CREATE TABLE src (id INT NOT NULL PRIMARY KEY, v VARCHAR(40))",
        "INSERT INTO src SELECT seq, MD5(seq) FROM seq_1_to_500",
        "CREATE TABLE dst LIKE src");
  }

  private static List<String> copy(TestDatabase db, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "copy",
                "--source",
                db.url(),
                "--table",
                db.schema() + ".src",
                "--target-table",
                db.schema() + ".dst",
                "--chunk-size",
                "100"));
    args.addAll(List.of(more));
    return args;
  }

  private List<String> load(TestDatabase db, String file, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "load",
                "--source",
                db.url(),
                "--table",
                db.schema() + ".src",
                "--target",
                dir.resolve(file).toString()));
    args.addAll(List.of(more));
    return args;
  }

  private static CliRun run(List<String> args) {
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void aCriticalLoadStopsCopyAndLoadWithTheVariableNamedAndNothingWritten(TestDatabase db) {
    // Uptime is above 0 on any running server: the critical limit is reached from the start
    CliRun copy = run(copy(db, "--critical-load", "Uptime=0"));

    assertThat(copy.exitCode()).isEqualTo(1);
    assertThat(copy.err())
        .contains("stopped at critical load: Uptime ")
        .contains(" > 0 on ")
        .contains("(--critical-load)");
    assertThat(db.queryLong("SELECT COUNT(*) FROM dst")).isZero();

    CliRun load = run(load(db, "critical.duckdb", "--critical-load", "Uptime=0"));

    assertThat(load.exitCode()).isEqualTo(1);
    assertThat(load.err()).contains("stopped at critical load: Uptime ");
    assertThat(load.out()).doesNotContain("loaded");

    assertThat(copy.err()).contains("run it again with --resume once the load is down");
    // the stopped copy continues with --resume; a limit that is not reached changes nothing
    CliRun fine =
        run(
            copy(
                db,
                "--critical-load",
                "Uptime=999999999999",
                "--max-load",
                "Uptime=999999999999",
                "--resume"));
    assertThat(fine.exitCode()).as(fine.err()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM dst")).isEqualTo(500);
  }

  @Test
  void malformedOrUnknownLimitsAreUsageErrorsBeforeAnyWork(TestDatabase db) {
    CliRun noValue = run(load(db, "bad.duckdb", "--max-load", "Threads_running"));
    assertThat(noValue.exitCode()).isEqualTo(2);
    assertThat(noValue.err()).contains("--max-load takes VAR=N[,VAR=N...]");

    CliRun notANumber = run(copy(db, "--critical-load", "Threads_running=lots"));
    assertThat(notANumber.exitCode()).isEqualTo(2);
    assertThat(notANumber.err()).contains("--critical-load takes VAR=N");

    CliRun injection = run(copy(db, "--max-load", "x'or'1=1"));
    assertThat(injection.exitCode()).isEqualTo(2);

    CliRun unknown =
        run(load(db, "bad.duckdb", "--max-load", "Threads_running=5,No_such_status=3"));
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("--max-load: ")
        .contains("has no numeric global status variable No_such_status");
    assertThat(dir.resolve("bad.duckdb")).doesNotExist();
  }

  /**
   * A load held back by --max-load waits while the limit is exceeded and finishes once it is not.
   * Threads_connected of the test's own embedded server is the load: 30 extra connections push it
   * over a limit the load's own few connections stay under.
   */
  @Test
  void aMaxLoadPausesTheLoadUntilTheLoadIsDown() throws Exception {
    TestDatabase db = BinlogServer.newDatabase("max_load");
    db.execute(
        "CREATE TABLE src (id INT NOT NULL PRIMARY KEY, v VARCHAR(40))",
        "INSERT INTO src SELECT seq, MD5(seq) FROM seq_1_to_500");
    long baseline =
        db.queryLong(
            "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                + " WHERE VARIABLE_NAME = 'THREADS_CONNECTED'");
    long limit = baseline + 12;
    List<Connection> extra = new ArrayList<>();
    CompletableFuture<CliRun> loading;
    try {
      for (int i = 0; i < 30; i++) {
        extra.add(db.connect());
      }
      loading =
          CompletableFuture.supplyAsync(
              () ->
                  run(
                      load(
                          db,
                          "paused.duckdb",
                          "--workers",
                          "2",
                          "--max-load",
                          "Threads_connected=" + limit)));
      // the load has opened its snapshot connections: it is past planning, at the first task
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (threadsConnected(db) < baseline + 30 + 3 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(threadsConnected(db)).isGreaterThanOrEqualTo(baseline + 33);
      assertThat(loading).as("held back while Threads_connected > " + limit).isNotDone();
      Thread.sleep(1500);
      assertThat(loading).as("still held back").isNotDone();
    } finally {
      for (Connection connection : extra) {
        connection.close();
      }
    }
    CliRun done = loading.get(60, TimeUnit.SECONDS);
    assertThat(done.exitCode()).as(done.err()).isZero();
    assertThat(done.out()).contains("loaded 500 rows");
    try (Connection duck =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("paused.duckdb"));
        ResultSet rs = duck.createStatement().executeQuery("SELECT count(*) FROM src")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(500);
    }
  }

  private static long threadsConnected(TestDatabase db) {
    return db.queryLong(
        "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
            + " WHERE VARIABLE_NAME = 'THREADS_CONNECTED'");
  }
}
