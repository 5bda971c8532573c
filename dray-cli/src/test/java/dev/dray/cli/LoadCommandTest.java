package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class LoadCommandTest {
  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void createTable(TestDatabase db) {
    db.execute(
        "CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, d DATE) PARTITION BY RANGE (id)"
            + " (PARTITION p1 VALUES LESS THAN (1000), PARTITION p2 VALUES LESS THAN MAXVALUE)",
        "INSERT INTO orders SELECT seq, DATE('2026-01-01') + INTERVAL seq % 300 DAY FROM seq_1_to_3000",
        "ANALYZE TABLE orders");
  }

  private static Run dray(TestDatabase db, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (db.user() != null && !db.url().contains("user=")) {
      all.add("--user");
      all.add(db.user());
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        DrayCli.execute(
            all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void loadsAndWritesAReport(TestDatabase db) throws Exception {
    Path target = dir.resolve("o.duckdb");
    Path report = dir.resolve("report.json");

    Run run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".orders",
            "--target",
            "duckdb:" + target,
            "--chunk-rows",
            "500",
            "--report",
            report.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("loaded 3,000 rows from 1 table(s)");
    assertThat(run.err()).contains("plan: ");
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.get("rows").asLong()).isEqualTo(3000);
    assertThat(json.get("tasks").asInt()).isGreaterThan(2);
    assertThat(json.get("seconds").asDouble()).isPositive();
    JsonNode task = json.get("taskReports").get(0);
    assertThat(task.has("partition")).isTrue();
    assertThat(task.has("range")).isTrue();
    assertThat(task.has("worker")).isTrue();
    assertThat(task.get("rows").asLong()).isPositive();
    assertThat(task.has("seconds")).isTrue();
    assertThat(task.get("retries").asInt()).isZero();
    long sum = 0;
    for (JsonNode t : json.get("taskReports")) {
      sum += t.get("rows").asLong();
    }
    assertThat(sum).isEqualTo(3000);
    assertThat(Files.readString(report)).doesNotContain("password");
  }

  @Test
  void dryRunPrintsThePlanAndTouchesNothing(TestDatabase db) throws Exception {
    Path target = dir.resolve("existing.duckdb");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + target);
        Statement statement = duck.createStatement()) {
      statement.execute("CREATE TABLE orders (x INT)");
    }
    String before = fingerprint(target);

    Run run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".orders",
            "--target",
            "duckdb:" + target,
            "--dry-run",
            "--workers",
            "8");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("plan: 2 tasks, 2 workers")
        .contains("partition p2")
        .contains("partition p1");
    assertThat(fingerprint(target)).isEqualTo(before);
  }

  @Test
  void unknownTableIsOneClearLineAndExitOne(TestDatabase db) {
    Path target = dir.resolve("o.duckdb");

    Run run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".missing",
            "--target",
            "duckdb:" + target);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).contains("dray: table " + db.schema() + ".missing does not exist");
    assertThat(Files.exists(target)).isFalse();
  }

  @Test
  void followWithoutARowBinaryLogIsRefusedBeforeLoading(TestDatabase db) {
    Path target = dir.resolve("f.duckdb");

    Run run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".orders",
            "--target",
            "duckdb:" + target,
            "--follow");

    // the shared test servers have no binary log (or not ROW/FULL); a private one is FollowTest's
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).contains("dray: cannot follow changes: ");
    assertThat(Files.exists(target)).isFalse();
  }

  @Test
  void followOptionsNeedFollow(TestDatabase db) {
    Run run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".orders",
            "--target",
            "duckdb:" + dir.resolve("g.duckdb"),
            "--follow-for",
            "5s");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("need --follow");
  }

  @Test
  void progressLines() {
    assertThat(LoadProgress.render(2_500, 10_000, 1, 4, 2.0, true))
        .isEqualTo("[######..................]  25%  2,500 rows  1,250 rows/s  ETA 6s  tasks 1/4");
    assertThat(LoadProgress.render(12_000, 10_000, 3, 4, 2.0, false))
        .isEqualTo(" 99%  12,000 rows  6,000 rows/s  ETA --  tasks 3/4");
    assertThat(LoadProgress.render(0, 10_000, 0, 4, 0, false))
        .isEqualTo("  0%  0 rows  0 rows/s  ETA --  tasks 0/4");
  }

  private static String fingerprint(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    digest.update(Files.readAllBytes(file));
    Path wal = file.resolveSibling(file.getFileName() + ".wal");
    if (Files.exists(wal)) {
      digest.update(Files.readAllBytes(wal));
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
