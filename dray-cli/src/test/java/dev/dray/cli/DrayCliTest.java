package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(MariaDbExtension.class)
class DrayCliTest {
  private static final String PASSWORD = "Sup3r-Secret-7731";
  private static final String WRONG_PASSWORD = "Wr0ng-Secret-4410";

  @Test
  void helpListsTheCommands() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("demo").contains("load").contains("Exit codes");
  }

  @Test
  void versionPrintsAVersion() {
    CliRun run = CliRun.of("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("dray ");
  }

  @Test
  void unknownFlagIsAUsageError() {
    CliRun run = CliRun.of("demo", "--no-such-flag");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option").contains("Usage: dray demo");
  }

  @Test
  void unknownCommandIsAUsageError() {
    CliRun run = CliRun.of("lod");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("lod");
  }

  @Test
  void badFlagValueIsAUsageError() {
    CliRun run = CliRun.of("demo", "--rows", "many");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--rows");
  }

  @Test
  void wrongPasswordFailsWithOneLineThatHidesThePassword(TestDatabase db) {
    String user = "dray_pw_" + Math.abs(db.schema().hashCode() % 10000);
    db.execute(
        "DROP USER IF EXISTS '" + user + "'@'%'",
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT SELECT ON `" + db.schema() + "`.* TO '" + user + "'@'%'");
    db.execute("CREATE TABLE t (id INT PRIMARY KEY)");
    String url = TestDatabase.urlWithoutUser(db.url());
    CliRun run = dryRunAs(url, user, WRONG_PASSWORD, db, false);
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err())
        .contains("Access denied")
        .contains(user)
        .doesNotContain(WRONG_PASSWORD)
        .doesNotContain(PASSWORD);
    assertThat(run.out()).doesNotContain(WRONG_PASSWORD);

    CliRun verbose = dryRunAs(url, user, WRONG_PASSWORD, db, true);
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err()).contains("at ").doesNotContain(WRONG_PASSWORD);

    CliRun right = dryRunAs(url, user, PASSWORD, db, false);
    assertThat(right.exitCode()).as(right.err()).isZero();
    assertThat(right.out()).contains("plan: 1 tasks").doesNotContain(PASSWORD);
    db.execute("DROP USER '" + user + "'@'%'");
  }

  /**
   * {@code dray load --dry-run} as {@code user}, the password passed through an environment
   * variable.
   */
  private static CliRun dryRunAs(
      String url, String user, String password, TestDatabase db, boolean verbose) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("load"));
    if (verbose) {
      args.add("--verbose");
    }
    args.addAll(
        java.util.List.of(
            "--source",
            url,
            "--user",
            user,
            "--password-env",
            "DRAY_PW",
            "--table",
            db.schema() + ".t",
            "--target",
            "duckdb:/tmp/never.duckdb",
            "--dry-run"));
    return CliRun.withEnvironment(Map.of("DRAY_PW", password), args.toArray(String[]::new));
  }

  @Test
  void passwordFileAndPasswordInUrlAreNeverPrinted(TestDatabase db, @TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "Fil3-Secret-9\n");
    String url = TestDatabase.urlWithoutUser(db.url()) + "?password=Url-Secret-55";
    CliRun run =
        CliRun.of(
            "load",
            "--source",
            url,
            "--user",
            "nobody_here",
            "--password-file",
            file.toString(),
            "--table",
            db.schema() + ".t",
            "--target",
            "duckdb:/tmp/never.duckdb",
            "--dry-run");
    // two passwords (the file's and the URL's): a usage error that prints neither
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).doesNotContain("Fil3-Secret-9").doesNotContain("Url-Secret-55");

    CliRun urlOnly =
        CliRun.of(
            "load",
            "--source",
            url,
            "--user",
            "nobody_here",
            "--table",
            db.schema() + ".t",
            "--target",
            "duckdb:/tmp/never.duckdb",
            "--dry-run");
    assertThat(urlOnly.exitCode()).isEqualTo(1);
    assertThat(urlOnly.err()).doesNotContain("Url-Secret-55").contains("****");
    CliRun fileOnly =
        CliRun.of(
            "load",
            "--source",
            TestDatabase.urlWithoutUser(db.url()),
            "--user",
            "nobody_here",
            "--password-file",
            file.toString(),
            "--table",
            db.schema() + ".t",
            "--target",
            "duckdb:/tmp/never.duckdb",
            "--dry-run");
    assertThat(fileOnly.exitCode()).isEqualTo(1);
    assertThat(fileOnly.err()).doesNotContain("Fil3-Secret-9");
  }

  @Test
  void missingPasswordVariableIsAUsageError() {
    CliRun run =
        CliRun.withEnvironment(
            Map.of(),
            "load",
            "--source",
            "jdbc:mariadb://127.0.0.1:1/x",
            "--password-env",
            "NOPE_NOT_SET",
            "--table",
            "x.t",
            "--target",
            "duckdb:/tmp/x.duckdb");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("NOPE_NOT_SET");
  }

  @Test
  void unreachableServerFailsClearly() {
    CliRun run =
        CliRun.of(
            "load",
            "--source",
            "jdbc:mariadb://127.0.0.1:1/x?connectTimeout=2000",
            "--table",
            "x.t",
            "--target",
            "duckdb:/tmp/x.duckdb");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("dray: cannot connect to jdbc:mariadb://127.0.0.1:1/x");
    assertThat(run.err().strip().lines()).hasSize(1);
  }
}
