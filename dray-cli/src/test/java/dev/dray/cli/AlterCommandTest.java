package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.BinlogServer;
import dev.dray.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dray alter} in process: the dry run prints the plan and changes nothing; a run writes its
 * JSON and HTML reports; {@code POST /cut-over} on the status port cuts over although the postpone
 * flag file exists; a refusal is one line with exit code 1.
 */
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class AlterCommandTest {
  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = BinlogServer.newDatabase("alter_cli");
  }

  private static void createTable(String name) {
    db.execute(
        "CREATE TABLE "
            + name
            + " (id INT NOT NULL PRIMARY KEY, note VARCHAR(20) NULL, gone INT NULL)",
        "INSERT INTO " + name + " SELECT seq, CONCAT('n', seq), seq FROM seq_1_to_3000");
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() {
    createTable("planned");
    CopyCommandTest.Run run =
        CopyCommandTest.dray(
            "alter",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".planned",
            "--alter",
            "CHANGE note label VARCHAR(40) NULL, DROP COLUMN gone, ADD COLUMN added INT NULL,"
                + " ADD UNIQUE KEY uq_label (label)",
            "--dry-run");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("columns     id, note -> label")
        .contains("dropped     gone")
        .contains("added       added")
        .contains("new unique  uq_label (note)")
        .contains("CREATE TABLE `_planned_new`");
    assertThat(db.queryLong("SELECT COUNT(*) FROM planned WHERE gone IS NOT NULL")).isEqualTo(3000);
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                    + " AND TABLE_NAME LIKE '\\_planned\\_%'"))
        .isZero();
  }

  @Test
  void writesReportsAndCutsOverOnRequestDespiteTheFlagFile(@TempDir Path dir) throws Exception {
    createTable("reported");
    Path flag = Files.createFile(dir.resolve("postpone"));
    Path json = dir.resolve("alter.json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> running =
        CompletableFuture.supplyAsync(
            () ->
                DrayCli.execute(
                    new String[] {
                      "alter",
                      "--source",
                      db.url(),
                      "--table",
                      db.schema() + ".reported",
                      "--alter",
                      "ADD COLUMN extra INT NOT NULL DEFAULT 3",
                      "--postpone-cut-over-flag-file",
                      flag.toString(),
                      "--status-port",
                      "0",
                      "--report",
                      json.toString(),
                      "--drop-old-table"
                    },
                    new PrintWriter(out, true),
                    new PrintWriter(err, true)));
    Matcher live = awaitErr(err, running, Pattern.compile("live status: (http://\\S+/) "));
    awaitErr(err, running, Pattern.compile("the cut-over waits while"));
    String url = live.group(1);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "cut-over"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(running.get()).as(err.toString()).isZero();
    assertThat(Files.exists(flag)).isTrue();
    assertThat(out.toString()).contains("the original table is dropped");
    assertThat(db.queryLong("SELECT SUM(extra) FROM reported")).isEqualTo(9000);
    assertThat(Files.readString(json)).contains("\"writesBlockedMillis\"");

    Path html = dir.resolve("alter.html");
    CopyCommandTest.Run again =
        CopyCommandTest.dray(
            "alter",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".reported",
            "--alter",
            "ADD INDEX by_extra (extra)",
            "--report",
            html.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(Files.readString(html)).contains("<html").contains("reported");
  }

  @Test
  void aRefusalIsOneLineWithExitCodeOne() {
    db.execute("CREATE TABLE unkeyed (a INT NULL)");
    CopyCommandTest.Run run =
        CopyCommandTest.dray(
            "alter",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".unkeyed",
            "--alter",
            "ADD COLUMN b INT NULL");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).contains("has no primary key");
  }

  private static Matcher awaitErr(
      StringWriter err, CompletableFuture<Integer> running, Pattern pattern)
      throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline && !running.isDone()) {
      Matcher matcher = pattern.matcher(err.toString());
      if (matcher.find()) {
        return matcher;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("never printed " + pattern + ": " + err);
  }
}
