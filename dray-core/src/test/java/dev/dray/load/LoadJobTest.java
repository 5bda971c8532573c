package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.plan.Task;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class LoadJobTest {
  @TempDir Path dir;

  private LoadJob.Builder job(TestDatabase db, String table) {
    return LoadJob.builder()
        .source(db.config())
        .table(db.table(table))
        .target(dir.resolve("t.duckdb"));
  }

  /** Rows of a MariaDB query and of a DuckDB query, rendered the same way, must be equal. */
  private static List<String> render(List<List<Object>> rows) {
    List<String> out = new ArrayList<>();
    for (List<Object> row : rows) {
      StringBuilder line = new StringBuilder();
      for (Object value : row) {
        String text = String.valueOf(value);
        if (value instanceof java.sql.Timestamp ts) {
          text = ts.toLocalDateTime().toString();
        } else if (value instanceof java.time.LocalDateTime ldt) {
          text = ldt.toString();
        } else if (value instanceof java.sql.Date d) {
          text = d.toLocalDate().toString();
        } else if (value instanceof Number n && !(value instanceof java.math.BigDecimal)) {
          text = String.valueOf(n.longValue());
        }
        line.append(text).append('|');
      }
      out.add(line.toString());
    }
    return out;
  }

  @Test
  void loadsRangePartitionsWithSubpartitionsAsOneTaskEach(TestDatabase db) {
    db.execute(
        "CREATE TABLE sub (id INT NOT NULL, created DATE NOT NULL, note VARCHAR(20), PRIMARY KEY (id, created))"
            + " PARTITION BY RANGE (YEAR(created)) SUBPARTITION BY HASH (id) SUBPARTITIONS 2"
            + " (PARTITION p2024 VALUES LESS THAN (2025), PARTITION p2025 VALUES LESS THAN (2026),"
            + " PARTITION pmax VALUES LESS THAN MAXVALUE)",
        "INSERT INTO sub SELECT seq, DATE('2024-01-01') + INTERVAL (seq % 1000) DAY,"
            + " IF(seq % 7 = 0, NULL, CONCAT('n', seq)) FROM seq_1_to_3000",
        "ANALYZE TABLE sub");

    LoadResult result = job(db, "sub").workers(3).build().run();

    assertThat(result.rows()).isEqualTo(3000);
    assertThat(result.partitions()).isEqualTo(6);
    assertThat(result.tasks()).isEqualTo(6);
    assertThat(result.taskReports())
        .extracting(TaskReport::partition)
        .contains("p2024/p2024sp0", "pmax/pmaxsp1");
    Path file = dir.resolve("t.duckdb");
    assertThat(render(DuckDbFiles.query(file, "SELECT id, created, note FROM sub ORDER BY id")))
        .isEqualTo(render(db.query("SELECT id, created, note FROM sub ORDER BY id")));
    assertThat(DuckDbFiles.tables(file)).containsExactly("sub");
  }

  @Test
  void splitsATableIntoCompositeNonIntegerKeyRanges(TestDatabase db) {
    db.execute(
        "CREATE TABLE comp (region VARCHAR(10) NOT NULL, code VARBINARY(8) NOT NULL, at DATETIME(3) NOT NULL,"
            + " amount DECIMAL(10,2), PRIMARY KEY (region, code, at))",
        "INSERT INTO comp SELECT ELT(1 + seq % 3, 'north', 'south', 'émilie'), UNHEX(LPAD(HEX(seq % 50), 4, '0')),"
            + " TIMESTAMP('2026-03-01 10:00:00') + INTERVAL seq SECOND, seq / 7 FROM seq_1_to_2000",
        "ANALYZE TABLE comp");

    List<Task> plan = job(db, "comp").chunkRows(150).build().plan();
    assertThat(plan.size()).isGreaterThanOrEqualTo(10);
    assertThat(plan).allMatch(t -> t.partition() == null);

    LoadResult result = job(db, "comp").chunkRows(150).workers(2).build().run();

    assertThat(result.rows()).isEqualTo(2000);
    assertThat(result.tasks()).isEqualTo(plan.size());
    Path file = dir.resolve("t.duckdb");
    assertThat(
            DuckDbFiles.queryLong(
                file, "SELECT count(*) FROM (SELECT DISTINCT region, code, \"at\" FROM comp)"))
        .isEqualTo(2000);
    assertThat(
            render(
                DuckDbFiles.query(
                    file, "SELECT region, hex(code), \"at\", amount FROM comp ORDER BY ALL")))
        .isEqualTo(
            render(
                db.query(
                    "SELECT region, HEX(code), at, amount FROM comp ORDER BY region COLLATE utf8mb4_bin, code, at")));
  }

  @Test
  void splitsASingleVarcharKey(TestDatabase db) {
    db.execute(
        "CREATE TABLE words (w VARCHAR(40) NOT NULL PRIMARY KEY, n INT)",
        "INSERT INTO words SELECT CONCAT(CHAR(65 + seq % 26), MD5(seq)), seq FROM seq_1_to_1500",
        "ANALYZE TABLE words");

    LoadResult result = job(db, "words").chunkRows(100).workers(2).build().run();

    assertThat(result.tasks()).isGreaterThanOrEqualTo(10);
    assertThat(result.rows()).isEqualTo(1500);
    Path file = dir.resolve("t.duckdb");
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(DISTINCT w) FROM words")).isEqualTo(1500);
    assertThat(DuckDbFiles.queryLong(file, "SELECT sum(n) FROM words")).isEqualTo(1500L * 1501 / 2);
  }

  @Test
  void runsBiggestTasksFirst(TestDatabase db) {
    db.execute(
        "CREATE TABLE skew (id INT NOT NULL PRIMARY KEY) PARTITION BY RANGE (id)"
            + " (PARTITION small VALUES LESS THAN (100), PARTITION big VALUES LESS THAN (2000),"
            + " PARTITION mid VALUES LESS THAN MAXVALUE)",
        "INSERT INTO skew SELECT seq FROM seq_1_to_2500",
        "ANALYZE TABLE skew");
    List<String> finishedOrder = Collections.synchronizedList(new ArrayList<>());

    List<Task> plan = job(db, "skew").build().plan();
    LoadResult result =
        job(db, "skew")
            .workers(1)
            .build()
            .run(
                new dev.dray.run.Cancellation(),
                new LoadListener() {
                  @Override
                  public void taskFinished(TaskReport report) {
                    finishedOrder.add(report.partition());
                  }
                });

    assertThat(plan).extracting(t -> t.partition().name()).containsExactly("big", "mid", "small");
    assertThat(plan).extracting(Task::sequence).containsExactly(0L, 1L, 2L);
    assertThat(finishedOrder).containsExactly("big", "mid", "small");
    assertThat(result.rows()).isEqualTo(2500);
  }

  @Test
  void capsWorkersByTasks(TestDatabase db) {
    db.execute(
        "CREATE TABLE few (id INT NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 3",
        "INSERT INTO few SELECT seq FROM seq_1_to_300");
    AtomicLong plannedWorkers = new AtomicLong();

    LoadResult result =
        job(db, "few")
            .workers(8)
            .build()
            .run(
                new dev.dray.run.Cancellation(),
                new LoadListener() {
                  @Override
                  public void planned(List<Task> tasks, int workers, int alreadyDone) {
                    plannedWorkers.set(workers);
                  }
                });

    assertThat(result.workers()).isEqualTo(3);
    assertThat(plannedWorkers.get()).isEqualTo(3);
    assertThat(result.rows()).isEqualTo(300);
  }

  @Test
  void replacesAnExistingTargetTableAndLeavesOthersAlone(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE again (id INT NOT NULL PRIMARY KEY)",
        "INSERT INTO again SELECT seq FROM seq_1_to_10");
    Path file = dir.resolve("t.duckdb");
    try (var duck = java.sql.DriverManager.getConnection("jdbc:duckdb:" + file);
        var statement = duck.createStatement()) {
      statement.execute("CREATE TABLE again (old VARCHAR)");
      statement.execute("INSERT INTO again VALUES ('old')");
      statement.execute("CREATE TABLE other (x INT)");
    }

    job(db, "again").build().run();

    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM again")).isEqualTo(10);
    assertThat(DuckDbFiles.tables(file)).containsExactly("again", "other");
  }

  @Test
  void planningTouchesNothing(TestDatabase db) {
    db.execute(
        "CREATE TABLE dry (id INT NOT NULL PRIMARY KEY)",
        "INSERT INTO dry SELECT seq FROM seq_1_to_10");

    List<Task> plan = job(db, "dry").build().plan();

    assertThat(plan).hasSize(1);
    assertThat(Files.exists(dir.resolve("t.duckdb"))).isFalse();
  }

  @Test
  void loadsATableWithoutKeyAsOneTaskPerPartitionWithAWarning(TestDatabase db) {
    db.execute(
        "CREATE TABLE nokey (a INT, b VARCHAR(5)) PARTITION BY HASH (a) PARTITIONS 4",
        "INSERT INTO nokey SELECT seq % 10, 'x' FROM seq_1_to_1000",
        "INSERT INTO nokey SELECT seq % 10, 'x' FROM seq_1_to_1000",
        "ANALYZE TABLE nokey");

    LoadResult result = job(db, "nokey").chunkRows(10).build().run();

    assertThat(result.tasks()).isEqualTo(4);
    assertThat(result.rows()).isEqualTo(2000);
    assertThat(result.warnings()).singleElement().asString().contains("no primary key");
  }

  @Test
  void loadsSeveralTablesInOneSnapshotAndPublishesThemTogether(TestDatabase db) {
    db.execute(
        "CREATE TABLE one (id INT NOT NULL PRIMARY KEY, v VARCHAR(5))",
        "INSERT INTO one SELECT seq, 'a' FROM seq_1_to_700",
        "CREATE TABLE two (id INT NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2",
        "INSERT INTO two SELECT seq FROM seq_1_to_400",
        "ANALYZE TABLE one, two");

    LoadResult result =
        LoadJob.builder()
            .source(db.config())
            .table(db.table("one"))
            .table(db.table("two"))
            .target(dir.resolve("t.duckdb"))
            .chunkRows(300)
            .build()
            .run();

    assertThat(result.tables()).containsExactly("one", "two");
    assertThat(result.rows()).isEqualTo(1100);
    assertThat(result.taskReports())
        .extracting(TaskReport::table)
        .contains(db.schema() + ".one", db.schema() + ".two");
    Path file = dir.resolve("t.duckdb");
    assertThat(DuckDbFiles.tables(file)).containsExactly("one", "two");
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM one")).isEqualTo(700);
    assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM two")).isEqualTo(400);
  }
}
