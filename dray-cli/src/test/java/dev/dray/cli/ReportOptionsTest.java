package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code --report} picks HTML or JSON by the file name; {@code --status-port} serves live. */
@ExtendWith(MariaDbExtension.class)
class ReportOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The report's data, as the page's script reads it. */
  static com.fasterxml.jackson.databind.JsonNode data(Path html) throws Exception {
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("Content-Security-Policy");
    Matcher data = Pattern.compile("window\\.DRAY_DATA = (\\{.*?\\});</script>").matcher(page);
    assertThat(data.find()).isTrue();
    return JSON.readTree(data.group(1));
  }

  @Test
  void htmlAndJsonReportsOfCopyLoadAndVerify(TestDatabase db, @TempDir Path dir) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS r1",
        "CREATE TABLE r1 (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(64) NOT NULL)"
            + " PARTITION BY HASH (id) PARTITIONS 3",
        "INSERT INTO r1 SELECT seq, MD5(seq) FROM seq_1_to_3000",
        "DROP TABLE IF EXISTS r1_copy",
        "CREATE TABLE r1_copy LIKE r1");
    Path copyHtml = dir.resolve("copy.html");
    CliRun copy =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".r1",
            "--target-table",
            db.schema() + ".r1_copy",
            "--chunk-size",
            "500",
            "--status-port",
            "0",
            "--report",
            copyHtml.toString());
    assertThat(copy.exitCode()).as(copy.err()).isZero();
    assertThat(copy.err()).containsPattern("live status: http://127\\.0\\.0\\.1:\\d+/");
    var copied = data(copyHtml);
    assertThat(copied.get("kind").asText()).isEqualTo("copy");
    assertThat(copied.get("tasks").size()).isEqualTo(6);
    assertThat(copied.get("summary").get("rowsCopied").asLong()).isEqualTo(3000);
    assertThat(copied.get("settings").get("workers").asInt()).isEqualTo(4);

    Path loadHtml = dir.resolve("load.HTML");
    CliRun load =
        CliRun.of(
            "load",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".r1",
            "--target",
            "duckdb:" + dir.resolve("r1.duckdb"),
            "--workers",
            "2",
            "--report",
            loadHtml.toString());
    assertThat(load.exitCode()).as(load.err()).isZero();
    var loaded = data(loadHtml);
    assertThat(loaded.get("tasks").size()).isEqualTo(3);
    assertThat(loaded.get("tasks").get(0).get("group").asText()).contains("r1 p");

    Path verifyJson = dir.resolve("verify.json");
    CliRun verify =
        CliRun.of(
            "verify",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".r1",
            "--target-table",
            db.schema() + ".r1_copy",
            "--report",
            verifyJson.toString());
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(JSON.readTree(verifyJson.toFile()).get("sourceRows").asLong()).isEqualTo(3000);
  }

  @Test
  void aFailedCopyStillGetsItsHtmlReport(TestDatabase db, @TempDir Path dir) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS r2",
        "CREATE TABLE r2 (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(64) NOT NULL)",
        "INSERT INTO r2 SELECT seq, MD5(seq) FROM seq_1_to_1000",
        "DROP TABLE IF EXISTS r2_copy",
        "CREATE TABLE r2_copy (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(4) NOT NULL)");
    Path html = dir.resolve("failed.html");
    CliRun copy =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".r2",
            "--target-table",
            db.schema() + ".r2_copy",
            "--report",
            html.toString());
    assertThat(copy.exitCode()).as(copy.out()).isEqualTo(1);
    var failed = data(html);
    assertThat(failed.get("finished").asBoolean()).isTrue();
    assertThat(failed.get("outcome").asText()).isNotEqualTo("ok").contains("r2");
  }
}
