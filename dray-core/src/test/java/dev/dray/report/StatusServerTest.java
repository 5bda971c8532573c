package dev.dray.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.copy.CopyJob;
import dev.dray.copy.CopyListener;
import dev.dray.copy.CopyResult;
import dev.dray.run.Cancellation;
import dev.dray.run.RuntimeControls;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Steers a running copy over the status server's HTTP API and watches it obey. */
@ExtendWith(MariaDbExtension.class)
class StatusServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void throttleChangeChunkSizeAndUnthrottleARunningCopy(TestDatabase db) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS steered",
        "CREATE TABLE steered (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(64) NOT NULL)",
        "INSERT INTO steered SELECT seq, MD5(seq) FROM seq_1_to_30000",
        "DROP TABLE IF EXISTS steered_copy",
        "CREATE TABLE steered_copy LIKE steered");
    JobTimeline timeline = JobTimeline.start("copy", "steered -> steered_copy");
    RuntimeControls controls = new RuntimeControls();
    CopyJob job =
        CopyJob.builder()
            .source(db.config())
            .sourceTable(db.table("steered"))
            .targetTable(db.table("steered_copy"))
            .workers(2)
            .chunkRows(200)
            .maxRowsPerSecond(8_000)
            .timeline(timeline)
            .controls(controls)
            .build();
    try (StatusServer server = StatusServer.start("127.0.0.1", 0, timeline, controls)) {
      assertThat(server.url()).startsWith("http://127.0.0.1:");
      CompletableFuture<CopyResult> running =
          CompletableFuture.supplyAsync(() -> job.run(new Cancellation(), CopyListener.NONE));
      awaitStatus(server, s -> rows(s) > 0);

      JsonNode paused = post(server, "throttle", 200);
      assertThat(paused.get("paused").asBoolean()).isTrue();
      Thread.sleep(600); // chunks already under way finish
      long held = rows(get(server, "status"));
      Thread.sleep(1_500);
      JsonNode whilePaused = get(server, "status");
      assertThat(rows(whilePaused)).as("rows while throttled").isEqualTo(held);
      assertThat(held).isLessThan(30_000);
      assertThat(whilePaused.get("throttles").toString()).contains("paused by the operator");

      assertThat(post(server, "chunk-size?rows=777", 200).get("chunkRows").asLong()).isEqualTo(777);
      post(server, "max-rows-per-second?n=50000", 200);
      assertThat(post(server, "chunk-size?rows=abc", 400).get("error").asText())
          .contains("whole number");
      assertThat(post(server, "cut-over", 400).get("error").asText())
          .contains("no action cut-over");
      post(server, "unthrottle", 200);
      awaitStatus(server, s -> rows(s) > held);

      CopyResult result = running.get(60, TimeUnit.SECONDS);
      timeline.finish(result, null);
      assertThat(result.rowsCopied()).isEqualTo(30_000);
      TimelineSnapshot snapshot = timeline.snapshot();
      assertThat(snapshot.tasks()).anySatisfy(t -> assertThat(t.rows()).isEqualTo(777));
      assertThat(snapshot.samples()).anySatisfy(s -> assertThat(s.chunkRows()).isEqualTo(777L));
      assertThat(snapshot.notes())
          .extracting(TimelineSnapshot.Note::text)
          .containsSubsequence(
              "throttle: workers pause before their next chunk",
              "chunk size set to 777 rows",
              "rate limit set to 50000 rows/s",
              "unthrottle: workers continue");
      // the chunks after the change have the new size, the ones while paused were none
      String page = HtmlReport.render(snapshot);
      assertThat(page).contains("chunk size set to 777 rows");
    }
  }

  private static long rows(JsonNode status) {
    JsonNode samples = status.get("samples");
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).get("rows").asLong();
  }

  private JsonNode awaitStatus(StatusServer server, Predicate<JsonNode> condition)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonNode status = get(server, "status");
      if (condition.test(status)) {
        return status;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the status never showed what was expected");
  }

  private JsonNode get(StatusServer server, String path) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private JsonNode post(StatusServer server, String path, int expectedStatus) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
    return JSON.readTree(response.body());
  }
}
