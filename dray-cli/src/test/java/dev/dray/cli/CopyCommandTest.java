package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class CopyCommandTest {
  record Run(int exitCode, String out, String err) {}

  static Run dray(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DrayCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static void createTables(TestDatabase db, String name, int rows) {
    db.execute(
        "DROP TABLE IF EXISTS " + name,
        "CREATE TABLE "
            + name
            + " (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NULL)",
        "INSERT INTO "
            + name
            + " SELECT seq, seq % 100, IF(seq % 9 = 0, NULL, MD5(seq)) FROM seq_1_to_"
            + rows,
        "DROP TABLE IF EXISTS " + name + "_copy",
        "CREATE TABLE " + name + "_copy LIKE " + name);
  }

  @Test
  void copiesWritesAReportAndVerifies(TestDatabase db, @TempDir Path dir) throws Exception {
    createTables(db, "c1", 2500);
    Path report = dir.resolve("copy.json");
    Run copy =
        dray(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c1",
            "--target-table",
            db.schema() + ".c1_copy",
            "--workers",
            "3",
            "--chunk-size",
            "200",
            "--report",
            report.toString());
    assertThat(copy.exitCode()).as(copy.err()).isZero();
    assertThat(copy.out()).contains("copied 2,500 rows").contains("server-side");
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.get("rowsCopied").asLong()).isEqualTo(2500);
    assertThat(json.get("throttledSeconds").asDouble()).isZero();
    assertThat(json.get("checkpointSequence").asLong()).isEqualTo(12);

    Run verify =
        dray(
            "verify",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c1",
            "--target-table",
            db.schema() + ".c1_copy");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(verify.out()).contains("EQUAL");

    db.execute("UPDATE c1_copy SET a = a + 1 WHERE id = 77", "DELETE FROM c1_copy WHERE id = 2000");
    Run different =
        dray(
            "verify",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c1",
            "--target-table",
            db.schema() + ".c1_copy",
            "--chunk-size",
            "500");
    assertThat(different.exitCode()).isEqualTo(3);
    assertThat(different.out())
        .contains("DIFFERENT in 2 range(s)")
        .contains("key 77: different")
        .contains("key 2000: missing in target");
  }

  @Test
  void dryRunPrintsThePlanAndTouchesNothing(TestDatabase db) {
    createTables(db, "c2", 100);
    Run plan =
        dray(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c2",
            "--target-table",
            db.schema() + ".c2_copy",
            "--chunk-time",
            "500ms",
            "--mode",
            "streaming",
            "--dry-run");
    assertThat(plan.exitCode()).as(plan.err()).isZero();
    assertThat(plan.out())
        .contains("mode        streaming")
        .contains("key         id")
        .contains("adapting to 500ms")
        .contains("checks      target keys, CHECK constraints")
        .contains("target      target " + db.schema() + ".c2_copy is empty");
    assertThat(db.queryLong("SELECT COUNT(*) FROM c2_copy")).isZero();
  }

  /**
   * Issue 17 item 3 and issue 16 item 8 through the CLI: --dry-run shows the refusal of a target
   * that would lose rows, and a non-empty target is refused with one line unless
   * --overwrite-target.
   */
  @Test
  void refusesUnsafeAndNonEmptyTargetsWithOneLine(TestDatabase db) {
    createTables(db, "c4", 300);
    db.execute("ALTER TABLE c4_copy ADD UNIQUE KEY uq_a (a)");
    String[] base = {
      "copy",
      "--source",
      db.url(),
      "--table",
      db.schema() + ".c4",
      "--target-table",
      db.schema() + ".c4_copy"
    };
    for (Run run : new Run[] {dray(with(base, "--dry-run")), dray(base)}) {
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err().strip())
          .startsWith("dray: cannot copy " + db.schema() + ".c4 into " + db.schema() + ".c4_copy")
          .contains("target unique key uq_a (a) is not implied")
          .doesNotContain("\n");
    }
    assertThat(db.queryLong("SELECT COUNT(*) FROM c4_copy")).isZero();

    db.execute("ALTER TABLE c4_copy DROP KEY uq_a", "INSERT INTO c4_copy VALUES (5, 1, 'differs')");
    Run nonEmpty = dray(base);
    assertThat(nonEmpty.exitCode()).isEqualTo(1);
    assertThat(nonEmpty.err().strip())
        .startsWith("dray: target table " + db.schema() + ".c4_copy already holds rows")
        .contains("--overwrite-target")
        .doesNotContain("\n");
    Run overwrite = dray(with(base, "--overwrite-target"));
    assertThat(overwrite.exitCode()).as(overwrite.err()).isZero();
    assertThat(overwrite.out()).contains("copied 300 rows");
    assertThat(db.queryLong("SELECT COUNT(*) FROM c4_copy WHERE b = 'differs'")).isZero();
  }

  private static String[] with(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  @Test
  void badInputExitsWithOneClearLine(TestDatabase db) {
    createTables(db, "c3", 10);
    db.execute(
        "DROP TABLE IF EXISTS c3_narrow",
        "CREATE TABLE c3_narrow (id BIGINT NOT NULL PRIMARY KEY, a SMALLINT NOT NULL, b VARCHAR(64) NULL)");
    Run narrow =
        dray(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c3",
            "--target-table",
            db.schema() + ".c3_narrow");
    assertThat(narrow.exitCode()).isEqualTo(1);
    assertThat(narrow.err().strip())
        .startsWith("dray: cannot copy")
        .contains("column a: target type smallint(6)")
        .doesNotContain("\n");

    Run missing =
        dray(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c3",
            "--target-table",
            db.schema() + ".nope");
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("target table " + db.schema() + ".nope does not exist");

    Run usage =
        dray(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c3",
            "--target-table",
            db.schema() + ".c3_copy",
            "--workers",
            "65");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.err()).contains("workers must be between 1 and 64");

    Run badTime =
        dray(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c3",
            "--target-table",
            db.schema() + ".c3_copy",
            "--chunk-time",
            "soon");
    assertThat(badTime.exitCode()).isEqualTo(2);

    Run badQuery =
        dray(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".c3",
            "--target-table",
            db.schema() + ".c3_copy",
            "--throttle-query",
            "SELEC 1");
    assertThat(badQuery.exitCode()).isEqualTo(2);
    assertThat(badQuery.err()).contains("the throttle query cannot run");
  }
}
