package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dray status} and {@code dray ctl} steer a real copy started with {@code --status-port}:
 * each change shows in what the copy does (rows stop while throttled, chunks of the new size, a
 * third worker's chunks) and in its HTML report; refused values change nothing.
 */
@ExtendWith(MariaDbExtension.class)
class StatusAndCtlCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 30_000;

  @Test
  void throttleChunkSizeWorkersAndUnthrottleARunningCopy(TestDatabase db, @TempDir Path dir)
      throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS steered",
        "CREATE TABLE steered (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(64) NOT NULL)",
        "INSERT INTO steered SELECT seq, MD5(seq) FROM seq_1_to_" + ROWS,
        "DROP TABLE IF EXISTS steered_copy",
        "CREATE TABLE steered_copy LIKE steered");
    String port = String.valueOf(freePort());
    Path html = dir.resolve("steered.html");
    CompletableFuture<CliRun> copy =
        CompletableFuture.supplyAsync(
            () ->
                CliRun.of(
                    "copy",
                    "--source",
                    db.url(),
                    "--table",
                    db.schema() + ".steered",
                    "--target-table",
                    db.schema() + ".steered_copy",
                    "--workers",
                    "2",
                    "--chunk-size",
                    "200",
                    "--max-rows-per-second",
                    "5000",
                    "--status-port",
                    port,
                    "--report",
                    html.toString()));
    awaitStatus(port, copy, s -> rows(s) > 0);

    CliRun throttle = CliRun.of("ctl", "--port", port, "throttle");
    assertThat(throttle.exitCode()).as(throttle.err()).isZero();
    assertThat(throttle.out()).startsWith("paused · chunk rows 200 ·").contains("workers 2");
    // chunks under way finish; then nothing moves
    long held = rows(awaitStableRows(port, copy));
    Thread.sleep(1_500);
    assertThat(rows(status(port))).as("rows while throttled").isEqualTo(held);
    assertThat(held).isLessThan(ROWS);
    CliRun text = CliRun.of("status", "--port", port);
    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("copy: ")
        .contains("now: paused by the operator")
        .contains("controls: paused · chunk rows 200")
        .contains("throttle: workers pause before their next chunk");

    assertThat(CliRun.of("ctl", "--port", port, "chunk-size", "777").out())
        .contains("chunk rows 777");
    assertThat(CliRun.of("ctl", "--port", port, "workers", "3").out()).contains("workers 3");
    // refused: a bad value, an action copy does not have, a value where none belongs
    List<CliRun> refused = new ArrayList<>();
    refused.add(CliRun.of("ctl", "--port", port, "workers", "0"));
    refused.add(CliRun.of("ctl", "--port", port, "chunk-size", "lots"));
    refused.add(CliRun.of("ctl", "--port", port, "cutover"));
    refused.add(CliRun.of("ctl", "--port", port, "throttle", "5"));
    refused.add(CliRun.of("ctl", "--port", port, "faster"));
    assertThat(refused).allSatisfy(r -> assertThat(r.exitCode()).as(r.err()).isEqualTo(2));
    assertThat(refused.get(0).err()).contains("between 1 and 256, not 0");
    assertThat(refused.get(1).err()).contains("whole number, not lots");
    assertThat(refused.get(2).err()).contains("no action cut-over");
    assertThat(refused.get(3).err()).contains("takes no value");
    assertThat(refused.get(4).err()).contains("unknown action faster");
    JsonNode controls = status(port).get("controls");
    assertThat(controls.get("paused").asBoolean()).isTrue();
    assertThat(controls.get("chunkRows").asLong()).isEqualTo(777);
    assertThat(controls.get("workers").asInt()).isEqualTo(3);
    assertThat(rows(status(port))).as("nothing moved meanwhile").isEqualTo(held);

    assertThat(CliRun.of("ctl", "--port", port, "rate", "0").out()).contains("max rows/s none");
    assertThat(CliRun.of("ctl", "--port", port, "unthrottle").out()).startsWith("running ·");
    CliRun copied = copy.get(120, TimeUnit.SECONDS);
    assertThat(copied.exitCode()).as(copied.err()).isZero();
    assertThat(db.queryLong("SELECT COUNT(*) FROM steered_copy")).isEqualTo(ROWS);

    JsonNode report = ReportOptionsTest.data(html);
    List<String> notes = new ArrayList<>();
    report.get("notes").forEach(n -> notes.add(n.get("text").asText()));
    assertThat(notes)
        .containsSubsequence(
            "throttle: workers pause before their next chunk",
            "chunk size set to 777 rows",
            "workers set to 3 (were 2)",
            "rate limit removed",
            "unthrottle: workers continue");
    assertThat(report.get("throttles").toString()).contains("paused by the operator");
    List<JsonNode> tasks = new ArrayList<>();
    report.get("tasks").forEach(tasks::add);
    assertThat(tasks).anySatisfy(t -> assertThat(t.get("rows").asLong()).isEqualTo(777));
    assertThat(tasks).anySatisfy(t -> assertThat(t.get("worker").asInt()).isEqualTo(2));
    assertThat(report.get("workers").asInt()).isEqualTo(3);

    CliRun gone = CliRun.of("status", "--port", port);
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.err()).contains("no dray job answers on http://127.0.0.1:" + port);
  }

  private static long rows(JsonNode status) {
    JsonNode samples = status.get("samples");
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).get("rows").asLong();
  }

  private static JsonNode status(String port) throws Exception {
    CliRun run = CliRun.of("status", "--port", port, "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    return JSON.readTree(run.out());
  }

  private static JsonNode awaitStatus(
      String port, CompletableFuture<CliRun> copy, Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(copy).as("the copy ended early").isNotDone();
      CliRun run = CliRun.of("status", "--port", port, "--json");
      if (run.exitCode() == 0) {
        JsonNode status = JSON.readTree(run.out());
        if (condition.test(status)) {
          return status;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the status never showed what was expected");
  }

  /** Waits until two samples half a second apart show the same rows (chunks under way done). */
  private static JsonNode awaitStableRows(String port, CompletableFuture<CliRun> copy)
      throws Exception {
    long[] last = {-1};
    return awaitStatus(
        port,
        copy,
        s -> {
          boolean stable = rows(s) == last[0] && s.get("throttles").toString().contains("paused");
          last[0] = rows(s);
          if (!stable) {
            try {
              Thread.sleep(400);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return stable;
        });
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
