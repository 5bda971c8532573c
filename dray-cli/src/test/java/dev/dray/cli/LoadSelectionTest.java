package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing what {@code dray load} reads: whole schemas, table patterns, excludes; views named as
 * such; the snapshot's binary log position in the report.
 */
@ExtendWith(MariaDbExtension.class)
class LoadSelectionTest {
  @TempDir Path dir;

  @BeforeAll
  static void createTables(TestDatabase db) {
    db.execute(
        "CREATE TABLE orders_a (id INT NOT NULL PRIMARY KEY, v INT)",
        "CREATE TABLE orders_b (id INT NOT NULL PRIMARY KEY, v INT)",
        "CREATE TABLE order_log (id INT NOT NULL PRIMARY KEY, v INT)",
        "CREATE TABLE tmp_orders (id INT NOT NULL PRIMARY KEY, v INT)",
        "CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, v INT)",
        "INSERT INTO orders_a SELECT seq, seq FROM seq_1_to_10",
        "INSERT INTO orders_b SELECT seq, seq FROM seq_1_to_20",
        "INSERT INTO order_log SELECT seq, seq FROM seq_1_to_30",
        "INSERT INTO tmp_orders SELECT seq, seq FROM seq_1_to_40",
        "INSERT INTO customers SELECT seq, seq FROM seq_1_to_50",
        "CREATE VIEW v_orders AS SELECT * FROM orders_a");
  }

  private static CliRun dray(TestDatabase db, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (db.user() != null && !db.url().contains("user=")) {
      all.add("--user");
      all.add(db.user());
    }
    return CliRun.of(all.toArray(String[]::new));
  }

  /** Table name and row count of every table in the DuckDB file, in name order. */
  private static List<String> duckTables(Path file) throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = duck.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                    + " AND table_name NOT LIKE '\\_dray%' ESCAPE '\\' ORDER BY table_name")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    List<String> withRows = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement statement = duck.createStatement()) {
      for (String table : tables) {
        try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
          rs.next();
          withRows.add(table + "=" + rs.getLong(1));
        }
      }
    }
    return withRows;
  }

  @Test
  void aWholeSchemaLoadsEveryBaseTableAndSkipsItsViewWithANote(TestDatabase db) throws Exception {
    Path target = dir.resolve("schema.duckdb");

    CliRun run =
        dray(db, "load", "--source", db.url(), "--schema", db.schema(), "--target", "" + target);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("from 5 table(s)");
    assertThat(run.err())
        .contains("dray: warning: skipping " + db.schema() + ".v_orders: it is a view");
    assertThat(duckTables(target))
        .containsExactly(
            "customers=50", "order_log=30", "orders_a=10", "orders_b=20", "tmp_orders=40");
  }

  @Test
  void patternsAndExcludesChooseTheTables(TestDatabase db) throws Exception {
    Path target = dir.resolve("patterns.duckdb");

    CliRun run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--tables",
            db.schema() + ".order*," + db.schema() + ".tmp_*",
            "--exclude-tables",
            db.schema() + ".orders_?",
            "--target",
            "" + target);

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(duckTables(target)).containsExactly("order_log=30", "tmp_orders=40");

    Path excluded = dir.resolve("excluded.duckdb");
    CliRun schemaMinus =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--schema",
            db.schema(),
            "--exclude-tables",
            db.schema() + ".tmp_*," + db.schema() + ".order_log",
            "--table",
            db.schema() + ".order_log",
            "--dry-run",
            "--target",
            "" + excluded);
    assertThat(schemaMinus.exitCode()).as(schemaMinus.err()).isZero();
    // --table names a table outright; the excludes narrow only --schema and --tables
    assertThat(schemaMinus.out())
        .contains(".order_log", ".orders_a", ".orders_b", ".customers")
        .doesNotContain(".tmp_orders", "v_orders");
    assertThat(excluded).doesNotExist();
  }

  @Test
  void aViewNamedWithTableIsRefusedAsAView(TestDatabase db) {
    Path target = dir.resolve("view.duckdb");

    CliRun run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".v_orders",
            "--target",
            "" + target);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains(db.schema() + ".v_orders is a view, not a table")
        .doesNotContain("0 rows");
    assertThat(run.out()).isEmpty();
    assertThat(target).doesNotExist();
  }

  @Test
  void selectionsThatChooseNothingAreRefusedBeforeAnyWork(TestDatabase db) {
    Path target = dir.resolve("none.duckdb");

    CliRun nothing = dray(db, "load", "--source", db.url(), "--target", "" + target);
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).contains("choose what to load: --table DB.T, --schema DB");

    CliRun noSchemaPart =
        dray(db, "load", "--source", db.url(), "--tables", "order*", "--target", "" + target);
    assertThat(noSchemaPart.exitCode()).isEqualTo(2);
    assertThat(noSchemaPart.err()).contains("table pattern order* must be DB.TABLE");

    CliRun excludeAlone =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".orders_a",
            "--exclude-tables",
            db.schema() + ".tmp_*",
            "--target",
            "" + target);
    assertThat(excludeAlone.exitCode()).isEqualTo(2);
    assertThat(excludeAlone.err()).contains("--exclude-tables narrows --schema or --tables");

    CliRun noMatch =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--tables",
            db.schema() + ".nothing_*",
            "--target",
            "" + target);
    assertThat(noMatch.exitCode()).isEqualTo(1);
    assertThat(noMatch.err()).contains("--tables " + db.schema() + ".nothing_* matches no table");

    CliRun noSchema =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--schema",
            db.schema() + "_missing",
            "--target",
            "" + target);
    assertThat(noSchema.exitCode()).isEqualTo(1);
    assertThat(noSchema.err()).contains("schema " + db.schema() + "_missing does not exist");

    CliRun allExcluded =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--tables",
            db.schema() + ".v_*",
            "--target",
            "" + target);
    assertThat(allExcluded.exitCode()).isEqualTo(1);
    assertThat(allExcluded.err()).contains("leaves no base table to read (only views: ");
    assertThat(target).doesNotExist();
  }

  @Test
  void theReportHoldsTheSnapshotsBinlogPositionWhenTheLogIsOn() throws Exception {
    TestDatabase db = BinlogServer.newDatabase("load_position");
    db.execute(
        "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT)",
        "INSERT INTO t SELECT seq, seq FROM seq_1_to_100");
    List<List<Object>> status = db.query("SHOW MASTER STATUS");
    String fileBefore = String.valueOf(status.get(0).get(0));
    long positionBefore = Long.parseLong(String.valueOf(status.get(0).get(1)));
    Path report = dir.resolve("load.json");

    CliRun run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".t",
            "--target",
            "" + dir.resolve("pos.duckdb"),
            "--report",
            "" + report);

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode position = new ObjectMapper().readTree(report.toFile()).get("snapshotPosition");
    assertThat(position.get("file").asText()).isEqualTo(fileBefore);
    assertThat(position.get("position").asLong()).isGreaterThanOrEqualTo(positionBefore);
    assertThat(position.get("gtid").asText()).matches("\\d+-\\d+-\\d+(,\\d+-\\d+-\\d+)*");
  }

  @Test
  void theReportSaysNoPositionWhenTheLogIsOff(TestDatabase db) throws Exception {
    boolean logged = !db.query("SHOW MASTER STATUS").isEmpty();
    Path report = dir.resolve("off.json");

    CliRun run =
        dray(
            db,
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".orders_a",
            "--target",
            "" + dir.resolve("off.duckdb"),
            "--report",
            "" + report);

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode position = new ObjectMapper().readTree(report.toFile()).get("snapshotPosition");
    if (logged) {
      assertThat(position.get("file").asText()).isNotBlank();
    } else {
      assertThat(position == null || position.isNull()).as("" + position).isTrue();
    }
  }
}
