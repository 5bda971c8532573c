package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What a new user types in the first hour (issue 16): each bad input gets one clear line. */
@ExtendWith(MariaDbExtension.class)
class FirstHourTest {
  @BeforeAll
  static void createTables(TestDatabase db) {
    db.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))",
        "INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_500",
        "CREATE TABLE t_copy LIKE t",
        "CREATE TABLE t_users LIKE t",
        "CREATE TABLE t_paths LIKE t",
        "CREATE TABLE t_options LIKE t",
        "CREATE TABLE t_vocab LIKE t",
        "CREATE TABLE nokey (v INT)");
  }

  private static String mysqlUrl(TestDatabase db) {
    return db.url().replaceFirst("^jdbc:mariadb:", "jdbc:mysql:");
  }

  @Test
  void mysqlSchemeUrlsWorkInEveryCommand(TestDatabase db) {
    String url = mysqlUrl(db);
    assertThat(url).startsWith("jdbc:mysql://").doesNotContain("permitMysqlScheme");
    String t = db.schema() + ".t";
    String copy = db.schema() + ".t_copy";

    CliRun load =
        CliRun.of("load", "--source", url, "--table", t, "--target", "x.duckdb", "--dry-run");
    assertThat(load.exitCode()).as(load.err()).isZero();
    assertThat(load.out()).contains("plan: 1 tasks");

    CliRun copied = CliRun.of("copy", "--source", url, "--table", t, "--target-table", copy);
    assertThat(copied.exitCode()).as(copied.err()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM t_copy")).isEqualTo(500);

    CliRun verify = CliRun.of("verify", "--source", url, "--table", t, "--target-table", copy);
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(verify.out()).contains("EQUAL");

    CliRun init = CliRun.of("queue", "init", "--db", url, "--queue", "mysqlscheme");
    assertThat(init.exitCode()).as(init.err()).isZero();
    CliRun stats =
        CliRun.of("queue", "stats", "--db", url, "--queue", "mysqlscheme", "--sample", "0s");
    assertThat(stats.exitCode()).as(stats.err()).isZero();
  }

  private static String urlWithUser(TestDatabase db, String user) {
    return TestDatabase.urlWithoutUser(db.url()) + "?user=" + user;
  }

  @Test
  void aUserInTheUrlAndADifferentUserOptionIsAUsageErrorNamingBoth(TestDatabase db) {
    String url = urlWithUser(db, db.user());
    String t = db.schema() + ".t";
    String copy = db.schema() + ".t_users";

    CliRun conflict =
        CliRun.of(
            "copy", "--source", url, "--user", "ux_etl", "--table", t, "--target-table", copy);
    assertThat(conflict.exitCode()).isEqualTo(2);
    assertThat(conflict.err().strip().lines()).hasSize(1);
    assertThat(conflict.err()).contains("--user ux_etl").contains("user=" + db.user());
    assertThat(db.queryLong("SELECT COUNT(*) FROM t_users")).isZero();

    CliRun targetConflict =
        CliRun.of(
            "verify",
            "--source",
            url,
            "--table",
            t,
            "--target",
            url,
            "--target-user",
            "other",
            "--target-table",
            copy);
    assertThat(targetConflict.exitCode()).isEqualTo(2);
    assertThat(targetConflict.err()).contains("--target-user other").contains("user=" + db.user());

    CliRun same =
        CliRun.of(
            "copy", "--source", url, "--user", db.user(), "--table", t, "--target-table", copy);
    assertThat(same.exitCode()).as(same.err()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM t_users")).isEqualTo(500);
  }

  @Test
  void thePasswordIsMaskedWhereItIsUsedAndASchemaContainingItIsPrintedIntact(TestDatabase db) {
    String user = "fh_pw_" + Math.abs(db.schema().hashCode() % 10000);
    db.execute(
        "DROP USER IF EXISTS '" + user + "'@'%'",
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'bad'");
    try {
      String schema = db.schema() + "_bad";
      String base = TestDatabase.urlWithoutUser(db.url());
      String url = base.substring(0, base.lastIndexOf('/') + 1) + schema;
      // the password in --password-env: the server refuses the (unknown) schema
      CliRun env =
          CliRun.withEnvironment(
              java.util.Map.of("PW", "bad"),
              "load",
              "--source",
              url,
              "--user",
              user,
              "--password-env",
              "PW",
              "--table",
              schema + ".t",
              "--target",
              "x.duckdb",
              "--dry-run");
      assertThat(env.exitCode()).isEqualTo(1);
      assertThat(env.err()).contains(schema);
      assertThat(env.err().replace(schema, "")).doesNotContain("bad");
      // the password in the URL: masked as the URL's parameter, the schema intact
      CliRun inUrl =
          CliRun.of(
              "verify",
              "--source",
              url + "?user=" + user + "&password=bad",
              "--table",
              schema + ".t",
              "--target-table",
              schema + ".t2");
      assertThat(inUrl.exitCode()).isEqualTo(1);
      assertThat(inUrl.err()).contains(schema).contains("password=****");
      assertThat(inUrl.err().replace(schema, "")).doesNotContain("bad");
    } finally {
      db.execute("DROP USER '" + user + "'@'%'");
    }
  }

  @Test
  void unwritableOutputPathsAreRefusedBeforeAnyWork(TestDatabase db, @TempDir Path dir)
      throws Exception {
    String t = db.schema() + ".t";
    String copy = db.schema() + ".t_paths";
    Path missing = dir.resolve("missing/r.json");
    Path underAFile = dir.resolve("a-file/r.json");
    Files.writeString(dir.resolve("a-file"), "x");
    Path duck = dir.resolve("o.duckdb");

    for (boolean dryRun : new boolean[] {false, true}) {
      CliRun load =
          CliRun.of(
              dryRun
                  ? new String[] {
                    "load",
                    "--source",
                    db.url(),
                    "--table",
                    t,
                    "--target",
                    "duckdb:" + duck,
                    "--report",
                    missing.toString(),
                    "--dry-run"
                  }
                  : new String[] {
                    "load",
                    "--source",
                    db.url(),
                    "--table",
                    t,
                    "--target",
                    "duckdb:" + duck,
                    "--report",
                    missing.toString()
                  });
      assertThat(load.exitCode()).isEqualTo(2);
      assertThat(load.err().strip().lines()).hasSize(1);
      assertThat(load.err()).contains("--report").contains("does not exist");
      assertThat(duck).doesNotExist();
    }

    CliRun loadIntoMissingFolder =
        CliRun.of(
            "load",
            "--source",
            db.url(),
            "--table",
            t,
            "--target",
            "duckdb:" + dir.resolve("nope/o.duckdb"),
            "--dry-run");
    assertThat(loadIntoMissingFolder.exitCode()).isEqualTo(2);
    assertThat(loadIntoMissingFolder.err()).contains("--target").contains("does not exist");

    CliRun copied =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            t,
            "--target-table",
            copy,
            "--report",
            underAFile.toString());
    assertThat(copied.exitCode()).isEqualTo(2);
    assertThat(copied.err().strip().lines()).hasSize(1);
    assertThat(copied.err()).contains("--report").contains("is not a folder");
    assertThat(db.queryLong("SELECT COUNT(*) FROM t_paths")).isZero();

    CliRun verify =
        CliRun.of(
            "verify",
            "--source",
            db.url(),
            "--table",
            t,
            "--target-table",
            copy,
            "--report",
            dir.toString());
    assertThat(verify.exitCode()).isEqualTo(2);
    assertThat(verify.err()).contains("is a folder");

    // a writable report keeps verify's verdict: 3 for different tables
    Path report = dir.resolve("verify.json");
    CliRun different =
        CliRun.of(
            "verify",
            "--source",
            db.url(),
            "--table",
            t,
            "--target-table",
            copy,
            "--report",
            report.toString());
    assertThat(different.exitCode()).as(different.err()).isEqualTo(3);
    assertThat(report).exists();
  }

  @Test
  void optionsThatDoNotApplyAreRefused(TestDatabase db, @TempDir Path dir) {
    String t = db.schema() + ".t";
    CliRun bareNumber =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            t,
            "--target-table",
            db.schema() + ".t_options",
            "--chunk-time",
            "500");
    assertThat(bareNumber.exitCode()).isEqualTo(2);
    assertThat(bareNumber.err()).contains("'500' needs a unit: 500ms, 500s");
    assertThat(db.queryLong("SELECT COUNT(*) FROM t_options")).isZero();

    Path parquet = dir.resolve("x.parquet");
    CliRun notDuckDb =
        CliRun.of("load", "--source", db.url(), "--table", t, "--target", "parquet:" + parquet);
    assertThat(notDuckDb.exitCode()).isEqualTo(2);
    assertThat(notDuckDb.err()).contains("only duckdb:FILE targets are supported, not parquet:");
    assertThat(parquet).doesNotExist();
    assertThat(Path.of("parquet:" + parquet)).doesNotExist();

    assertThat(CliRun.of("queue", "init", "--db", db.url(), "--queue", "opts").exitCode()).isZero();
    for (String[] extra :
        java.util.List.of(
            new String[] {"--delay", "30s"},
            new String[] {"--priority", "5"},
            new String[] {"--max-attempts", "3"})) {
      java.util.List<String> args =
          new java.util.ArrayList<>(
              java.util.List.of(
                  "queue",
                  "enqueue",
                  "--db",
                  db.url(),
                  "--queue",
                  "opts",
                  "--from-query",
                  "SELECT JSON_OBJECT('id', id) AS payload FROM " + t));
      args.addAll(java.util.List.of(extra));
      CliRun fromQuery = CliRun.of(args.toArray(String[]::new));
      assertThat(fromQuery.exitCode()).as(extra[0]).isEqualTo(2);
      assertThat(fromQuery.err()).contains(extra[0]).contains("--from-query");
    }
    assertThat(db.queryLong("SELECT COUNT(*) FROM opts")).isZero();

    CliRun tooMany =
        CliRun.of(
            "queue",
            "work",
            "--db",
            db.url(),
            "--queue",
            "opts",
            "--workers",
            "1000",
            "--handler",
            "noop",
            "--until-empty");
    assertThat(tooMany.exitCode()).isEqualTo(2);
    assertThat(tooMany.err()).contains("--workers must be between 1 and 256, not 1000");
  }

  @Test
  void unknownCommandsAreUsageErrorsAndHelpIsComplete() {
    for (String[] args :
        java.util.List.of(
            new String[] {"altr", "--help"},
            new String[] {"frobnicate"},
            new String[] {"queue", "frob", "--help"})) {
      CliRun run = CliRun.of(args);
      assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err()).contains(args[args.length > 2 ? 1 : 0]);
    }
    CliRun version = CliRun.of("--version");
    assertThat(version.out())
        .doesNotContain("development build")
        .containsPattern("dray \\d+\\.\\d+");

    String help = CliRun.of("--help").out().replaceAll("\\s+", " ");
    for (String command :
        new String[] {"demo", "load", "copy", "verify", "alter", "status", "ctl", "queue"}) {
      CliRun commandHelp = CliRun.of(command, "--help");
      assertThat(commandHelp.out()).as(command).contains("Example").contains("./dray " + command);
      String out = commandHelp.out();
      String header = out.substring(0, out.indexOf("Usage:")).replaceAll("\\s+", " ").strip();
      assertThat(header).endsWith(".");
      assertThat(help).contains(header);
    }
  }

  @Test
  void oneVocabularyReportsWithVersionTimesAndSourceAndWarningLines(
      TestDatabase db, @TempDir Path dir) throws Exception {
    String t = db.schema() + ".t";
    Path report = dir.resolve("load.json");
    // load takes copy's --chunk-size; reports say which dray ran when, on what
    CliRun load =
        CliRun.of(
            "load",
            "--source",
            db.url(),
            "--table",
            t,
            "--target",
            "duckdb:" + dir.resolve("o.duckdb"),
            "--chunk-size",
            "100",
            "--report",
            report.toString(),
            "--json");
    assertThat(load.exitCode()).as(load.err()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var printed = json.readTree(load.out());
    var written = json.readTree(report.toFile());
    for (var node : java.util.List.of(printed, written)) {
      assertThat(node.get("drayVersion").asText()).isEqualTo(VersionProvider.version());
      assertThat(java.time.Instant.parse(node.get("finishedAt").asText()))
          .isAfterOrEqualTo(java.time.Instant.parse(node.get("startedAt").asText()));
      assertThat(node.get("source").asText()).isEqualTo(db.url());
      assertThat(node.get("tasks").asLong()).isEqualTo(5);
    }

    // copy takes load's --chunk-rows; its progress lines start with the time of day
    CliRun copy =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            t,
            "--target-table",
            db.schema() + ".t_vocab",
            "--chunk-rows",
            "50",
            "--max-rows-per-second",
            "1000",
            "--progress-interval",
            "100ms",
            "--json");
    assertThat(copy.exitCode()).as(copy.err()).isZero();
    assertThat(json.readTree(copy.out()).get("chunks").asLong()).isEqualTo(10);
    assertThat(copy.err()).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d copy: ");

    // warnings are dray lines, not logback's
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      CliRun noKey =
          CliRun.of(
              "load",
              "--source",
              db.url(),
              "--table",
              db.schema() + ".nokey",
              "--target",
              "duckdb:" + dir.resolve("n.duckdb"),
              "--dry-run");
      assertThat(noKey.exitCode()).as(noKey.err()).isZero();
    } finally {
      System.setErr(original);
    }
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("dray: warning: " + db.schema() + ".nokey has no primary key");
  }

  @Test
  void credentialsTheMySqlWayAndUnknownHostsNamedAsSuch(TestDatabase db, @TempDir Path dir)
      throws Exception {
    String user = "fh_cnf_" + Math.abs(db.schema().hashCode() % 10000);
    String password = "Cnf-Pw-8812";
    db.execute(
        "DROP USER IF EXISTS '" + user + "'@'%'",
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'",
        "GRANT SELECT ON `" + db.schema() + "`.* TO '" + user + "'@'%'");
    try {
      String url = TestDatabase.urlWithoutUser(db.url());
      String t = db.schema() + ".t";
      Path cnf = dir.resolve("client.cnf");
      Files.writeString(
          cnf,
          "[mysqld]\nuser=mysql\n[client]\nuser = " + user + "\npassword=\"" + password + "\"\n");
      String[] dryRun = {
        "load",
        "--source",
        url,
        "--table",
        t,
        "--target",
        "duckdb:" + dir.resolve("x.duckdb"),
        "--dry-run"
      };
      java.util.function.Function<String[], String[]> with =
          extra -> {
            java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(dryRun));
            all.addAll(java.util.List.of(extra));
            return all.toArray(String[]::new);
          };
      Map<String, String> noHome = Map.of("HOME", dir.resolve("nohome").toString());

      CliRun defaultsFile =
          CliRun.withEnvironment(
              noHome, with.apply(new String[] {"--defaults-file", cnf.toString()}));
      assertThat(defaultsFile.exitCode()).as(defaultsFile.err()).isZero();
      assertThat(defaultsFile.out() + defaultsFile.err()).doesNotContain(password);

      Files.createDirectories(dir.resolve("home"));
      Files.copy(cnf, dir.resolve("home/.my.cnf"));
      CliRun myCnf = CliRun.withEnvironment(Map.of("HOME", dir.resolve("home").toString()), dryRun);
      assertThat(myCnf.exitCode()).as(myCnf.err()).isZero();

      Map<String, String> mysqlPwd = new java.util.HashMap<>(noHome);
      mysqlPwd.put("MYSQL_PWD", password);
      CliRun pwd = CliRun.withEnvironment(mysqlPwd, with.apply(new String[] {"--user", user}));
      assertThat(pwd.exitCode()).as(pwd.err()).isZero();

      // --password-env comes first: a wrong one is refused even with a right MYSQL_PWD
      mysqlPwd.put("WRONG", "not-it");
      CliRun first =
          CliRun.withEnvironment(
              mysqlPwd, with.apply(new String[] {"--user", user, "--password-env", "WRONG"}));
      assertThat(first.exitCode()).isEqualTo(1);
      assertThat(first.err()).contains("Access denied");
    } finally {
      db.execute("DROP USER '" + user + "'@'%'");
    }

    CliRun unknownHost =
        CliRun.of(
            "verify",
            "--source",
            "jdbc:mariadb://no-such-host.invalid:3306/x",
            "--table",
            "x.t",
            "--target-table",
            "x.t2");
    assertThat(unknownHost.exitCode()).isEqualTo(1);
    assertThat(unknownHost.err().strip().lines()).hasSize(1);
    assertThat(unknownHost.err()).contains("cannot resolve host no-such-host.invalid");

    CliRun bareTimeout =
        CliRun.of(
            "verify",
            "--source",
            db.url(),
            "--table",
            "x.t",
            "--target-table",
            "x.t2",
            "--connect-timeout",
            "5");
    assertThat(bareTimeout.exitCode()).isEqualTo(2);
    assertThat(bareTimeout.err()).contains("--connect-timeout").contains("needs a unit");
  }
}
