package dev.dray.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Talks to a running job's status server ({@code --status-port}): {@code GET /status} and the
 * control requests. A refused value (HTTP 400) is a usage error with the server's message; a job
 * without that control (409) is a failed request.
 */
final class StatusClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String base;
  private final HttpClient http;

  StatusClient(String host, int port) {
    if (port < 1 || port > 65_535) {
      throw DrayException.usage("--port must be between 1 and 65535, not " + port);
    }
    this.base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  /** The job's status: its timeline so far and the controls' state. */
  JsonNode status() {
    return send(HttpRequest.newBuilder(URI.create(base + "status")).GET());
  }

  /** Sends a control request ({@code throttle}, {@code chunk-size?rows=N}, ...); the new state. */
  JsonNode control(String pathAndQuery) {
    return send(
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private JsonNode send(HttpRequest.Builder request) {
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "no dray job answers on "
              + base
              + " ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + "); is the job running with --status-port?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(ErrorCode.INTERRUPTED, "interrupted while asking " + base, e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          base + " answered " + response.statusCode() + " with something other than JSON",
          e);
    }
    int status = response.statusCode();
    if (status == 200) {
      return body;
    }
    String message = body.path("error").asText("HTTP " + status);
    if (status == 400) {
      throw DrayException.usage(message);
    }
    throw new DrayException(ErrorCode.TASK_FAILED, message);
  }

  /**
   * The controls' state in one line: {@code paused · chunk rows 777 · max rows/s none · 4 workers}.
   */
  static String describeControls(JsonNode controls) {
    StringBuilder line =
        new StringBuilder(controls.path("paused").asBoolean() ? "paused" : "running");
    line.append(" · chunk rows ").append(orDash(controls.path("chunkRows")));
    long rate = controls.path("maxRowsPerSecond").asLong();
    line.append(" · max rows/s ").append(rate > 0 ? String.format("%,d", rate) : "none");
    line.append(" · workers ").append(orDash(controls.path("workers")));
    if (controls.has("cutOverPostponed")) {
      line.append(
          controls.path("cutOverRequested").asBoolean()
              ? " · cut-over requested"
              : controls.path("cutOverPostponed").asBoolean()
                  ? " · cut-over postponed"
                  : " · cut-over when ready");
    }
    JsonNode actions = controls.path("actions");
    if (actions.size() > 0) {
      StringBuilder names = new StringBuilder();
      actions.forEach(a -> names.append(names.length() == 0 ? "" : ", ").append(a.asText()));
      line.append(" · actions: ").append(names);
    }
    return line.toString();
  }

  private static String orDash(JsonNode value) {
    return value.isNull() || value.isMissingNode() ? "-" : String.format("%,d", value.asLong());
  }
}
