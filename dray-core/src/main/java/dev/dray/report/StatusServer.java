package dev.dray.report;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.run.RuntimeControls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a running job's live page and a small JSON API (JDK HTTP server, 127.0.0.1 by default):
 *
 * <ul>
 *   <li>{@code GET /} the live page: the report's charts, refreshed every second;
 *   <li>{@code GET /status} the timeline so far and the controls' state, as JSON;
 *   <li>{@code POST /throttle}, {@code /unthrottle}: hold the workers before their next chunk, or
 *       let them go on;
 *   <li>{@code POST /chunk-size?rows=N}: rows per chunk from the next planned chunk on;
 *   <li>{@code POST /max-rows-per-second?n=N}: the rate limit (0: none);
 *   <li>{@code POST /workers?n=N}: the number of workers (new ones start at once, surplus ones stop
 *       after their current chunk);
 *   <li>{@code POST /NAME} for an action the job registered (such as {@code cut-over} and {@code
 *       postpone-cut-over} of an online schema change).
 * </ul>
 *
 * The API has no authentication: it listens on the loopback interface unless told otherwise, like
 * gh-ost's interactive socket. Control requests answer with the controls' state.
 */
public final class StatusServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final JobTimeline timeline;
  private final RuntimeControls controls;

  private StatusServer(HttpServer server, JobTimeline timeline, RuntimeControls controls) {
    this.server = server;
    this.timeline = timeline;
    this.controls = controls;
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "dray-status-server");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /**
   * Starts serving on {@code host:port} ({@code port} 0: any free port).
   *
   * @param controls what the API may change, or null for a job that only reports
   */
  public static StatusServer start(
      String host, int port, JobTimeline timeline, RuntimeControls controls) {
    requireNonNull(timeline, "timeline is null");
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
      StatusServer status = new StatusServer(server, timeline, controls);
      server.start();
      LOG.info("live status of the {} on {}", timeline.kind(), status.url());
      return status;
    } catch (IOException e) {
      throw DrayException.usage(
          "cannot serve the status on " + host + ":" + port + ": " + e.getMessage());
    }
  }

  /** Where the live page is, such as {@code http://127.0.0.1:8080/}. */
  public String url() {
    InetSocketAddress address = server.getAddress();
    return "http://" + address.getAddress().getHostAddress() + ":" + address.getPort() + "/";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      try {
        if (method.equals("GET") && (path.equals("/") || path.equals("/index.html"))) {
          send(exchange, 200, "text/html; charset=utf-8", HtmlReport.live(timeline.snapshot()));
        } else if (method.equals("GET") && path.equals("/status")) {
          send(exchange, 200, "application/json", HtmlReport.toJson(timeline.snapshot()));
        } else if (method.equals("POST") && path.length() > 1) {
          control(path.substring(1), exchange.getRequestURI());
          send(exchange, 200, "application/json", HtmlReport.toJson(ControlState.of(controls)));
        } else if (method.equals("GET") || method.equals("POST")) {
          error(exchange, 404, "no such page: " + method + " " + path);
        } else {
          error(exchange, 405, "only GET and POST");
        }
      } catch (DrayException e) {
        error(exchange, e.code() == ErrorCode.USAGE ? 400 : 409, e.getMessage());
      }
    }
  }

  private void control(String name, URI uri) {
    if (controls == null) {
      throw new DrayException(
          ErrorCode.TASK_FAILED, "this " + timeline.kind() + " has no controls; it only reports");
    }
    switch (name) {
      case "throttle" -> controls.pause();
      case "unthrottle" -> controls.resume();
      case "chunk-size" -> controls.chunkRows(number(uri, "rows"));
      case "max-rows-per-second" -> controls.maxRowsPerSecond(number(uri, "n"));
      case "workers" -> controls.workers(workerCount(number(uri, "n")));
      default -> controls.trigger(name);
    }
  }

  private static int workerCount(long n) {
    if (n < 1 || n > RuntimeControls.MAX_WORKERS) {
      throw DrayException.usage(
          "the number of workers must be between 1 and "
              + RuntimeControls.MAX_WORKERS
              + ", not "
              + n);
    }
    return (int) n;
  }

  private static long number(URI uri, String parameter) {
    String query = uri.getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int equals = pair.indexOf('=');
        if (equals > 0 && pair.substring(0, equals).equals(parameter)) {
          String value = pair.substring(equals + 1);
          try {
            return Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw DrayException.usage(parameter + " must be a whole number, not " + value);
          }
        }
      }
    }
    throw DrayException.usage("missing ?" + parameter + "=N");
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    send(exchange, status, "application/json", HtmlReport.toJson(body));
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
