package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code dray verify --print-fix}: the printed script, run on the target, makes it equal to the
 * source; printing it changes nothing.
 */
@ExtendWith(MariaDbExtension.class)
class VerifyPrintFixTest {
  private static final String COLUMNS =
      " (id INT NOT NULL, k VARCHAR(20) NOT NULL, s VARCHAR(200) NULL, b VARBINARY(20) NULL,"
          + " d DATETIME(3) NULL, ts TIMESTAMP NULL, n DECIMAL(12,2) NULL, f DOUBLE NULL,"
          + " g INT AS (id * 2) VIRTUAL, PRIMARY KEY (id, k))";

  private static void createPair(TestDatabase db, String name) {
    db.execute(
        "CREATE TABLE " + name + COLUMNS,
        "INSERT INTO "
            + name
            + " (id, k, s, b, d, ts, n, f) SELECT seq, CONCAT('k', seq % 3), CONCAT('row ', seq),"
            + " UNHEX(MD5(seq)), '2026-01-02 03:04:05.678' + INTERVAL seq HOUR,"
            + " '2026-03-29 01:30:00' + INTERVAL seq MINUTE, seq / 7, seq / 3 FROM seq_1_to_300",
        // values a literal must survive: quotes, backslashes, control characters, NUL, UTF-8
        "UPDATE "
            + name
            + " SET s = CONCAT('it''s a \\\\ back\\nslash \"q\" ', CHAR(0), ' \\t ü€😀')"
            + " WHERE id = 10",
        "UPDATE " + name + " SET b = X'00275C22', n = -0.5, f = 1e-300 WHERE id = 11",
        "UPDATE " + name + " SET s = NULL, b = NULL, d = NULL, ts = NULL WHERE id = 12",
        "CREATE TABLE " + name + "_t LIKE " + name,
        "INSERT INTO "
            + name
            + "_t (id, k, s, b, d, ts, n, f) SELECT id, k, s, b, d, ts, n, f"
            + " FROM "
            + name);
  }

  private static String[] verify(TestDatabase db, String name, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "verify",
                "--source",
                db.url(),
                "--table",
                db.schema() + "." + name,
                "--target-table",
                db.schema() + "." + name + "_t",
                "--chunk-size",
                "50"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  private static void runScript(TestDatabase db, String script) throws Exception {
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement()) {
      for (String line : script.split("\n")) {
        if (!line.isBlank() && !line.startsWith("--")) {
          assertThat(line).endsWith(";");
          statement.execute(line.substring(0, line.length() - 1));
        }
      }
    }
  }

  @Test
  void theScriptMakesTheTargetEqualAndPrintingItChangesNothing(TestDatabase db) throws Exception {
    createPair(db, "fx");
    db.execute(
        "UPDATE fx_t SET s = 'changed' WHERE id = 10",
        "UPDATE fx_t SET b = X'01', n = 3 WHERE id = 11",
        "UPDATE fx_t SET s = 'was null', d = '2000-01-01', ts = '2000-01-01' WHERE id = 12",
        "UPDATE fx_t SET f = f + 1 WHERE id = 200",
        "DELETE FROM fx_t WHERE id IN (5, 250)",
        "INSERT INTO fx_t (id, k, s) VALUES (301, 'it''s', 'extra'), (7, 'other\\\\k', 'extra')");
    String before = checksum(db, "fx_t");

    CliRun printed = CliRun.of(verify(db, "fx", "--print-fix"));

    assertThat(printed.exitCode()).as(printed.err()).isEqualTo(3);
    assertThat(checksum(db, "fx_t")).isEqualTo(before);
    String script = printed.out();
    assertThat(script.lines().filter(l -> l.startsWith("-- verify ")).count()).isOne();
    assertThat(script).contains("-- verify ").contains("DIFFERENT");
    assertThat(script.lines().filter(l -> l.startsWith("REPLACE INTO ")).count()).isEqualTo(6);
    assertThat(script.lines().filter(l -> l.startsWith("DELETE FROM ")).count()).isEqualTo(2);
    assertThat(script.lines().filter(l -> !l.startsWith("-- ")).findFirst())
        .hasValueSatisfying(first -> assertThat(first).startsWith("SET time_zone = "));
    // TIMESTAMPs as instants, whatever zone runs the script
    assertThat(script).contains("FROM_UNIXTIME(");
    // generated columns are left to the server
    assertThat(script).doesNotContain("`g`");

    runScript(db, script);

    CliRun after = CliRun.of(verify(db, "fx"));
    assertThat(after.exitCode()).as(after.out() + after.err()).isZero();
    assertThat(after.out()).contains("EQUAL");
    assertThat(checksum(db, "fx_t")).isEqualTo(checksum(db, "fx"));
  }

  @Test
  void anEqualPairPrintsNothingToFixAndALimitedScriptSaysWhatItLeavesOut(TestDatabase db)
      throws Exception {
    createPair(db, "fy");

    CliRun equal = CliRun.of(verify(db, "fy", "--print-fix"));
    assertThat(equal.exitCode()).as(equal.err()).isZero();
    assertThat(equal.out()).contains("EQUAL").contains("-- nothing to fix");
    assertThat(equal.out().lines()).allMatch(l -> l.startsWith("-- "));

    db.execute("DELETE FROM fy_t WHERE id IN (3, 4, 5)");
    CliRun limited = CliRun.of(verify(db, "fy", "--print-fix", "--max-keys", "2"));
    assertThat(limited.exitCode()).isEqualTo(3);
    assertThat(limited.out().lines().filter(l -> l.startsWith("REPLACE INTO ")).count())
        .isEqualTo(2);
    assertThat(limited.err())
        .contains("dray: warning: the script fixes only the 2 differing rows listed");
    runScript(db, limited.out());
    assertThat(db.queryLong("SELECT COUNT(*) FROM fy_t")).isEqualTo(299);

    CliRun withJson = CliRun.of(verify(db, "fy", "--print-fix", "--json"));
    assertThat(withJson.exitCode()).isEqualTo(2);
    assertThat(withJson.err()).contains("--print-fix prints an SQL script and --json");
    assertThat(withJson.out()).isEmpty();
  }

  private static String checksum(TestDatabase db, String table) {
    return String.valueOf(
        db.query(
                "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, k, s, HEX(b), d, ts, n, f)))"
                    + " FROM "
                    + table)
            .get(0));
  }
}
