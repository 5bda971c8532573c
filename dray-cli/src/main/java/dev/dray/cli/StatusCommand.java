package dev.dray.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray status}: what a running job (started with {@code --status-port}) is doing. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    header = "Shows what a job running with --status-port is doing.",
    footer = {
      "",
      "Example:",
      "  ./dray status --port 8765",
      "  (the same as: curl -s http://127.0.0.1:8765/status)"
    },
    description = {
      "Asks a running load or copy (started with --status-port PORT) for its status:",
      "elapsed time, tasks, rows, the current rate, whether it is throttled and why,",
      "the controls' state and the latest events. --json prints the server's JSON."
    })
public final class StatusCommand implements Callable<Integer> {
  private static final int EVENTS = 5;

  @Spec CommandSpec spec;

  @Mixin StatusTarget target;

  @Option(names = "--json", description = "Print the status as JSON (tasks, samples, events).")
  boolean json;

  @Override
  public Integer call() {
    JsonNode status = target.client().status();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Reports.toJson(status));
      return 0;
    }
    out.printf("%s: %s%n", status.path("kind").asText(), status.path("title").asText());
    JsonNode tasks = status.path("tasks");
    long running = 0;
    long failed = 0;
    long taskRows = 0;
    for (JsonNode task : tasks) {
      String outcome = task.path("outcome").asText();
      running += outcome.equals("running") ? 1 : 0;
      failed += outcome.equals("failed") ? 1 : 0;
      taskRows += task.path("rows").asLong();
    }
    JsonNode samples = status.path("samples");
    JsonNode last = samples.size() == 0 ? null : samples.get(samples.size() - 1);
    long rows = Math.max(taskRows, last == null ? 0 : last.path("rows").asLong());
    String state =
        status.path("finished").asBoolean()
            ? "finished: " + status.path("outcome").asText()
            : "running";
    out.printf(
        "  %s for %.1f s · %d workers · tasks %,d done, %,d running%s · %,d rows%s%n",
        state,
        status.path("elapsedSeconds").asDouble(),
        status.path("workers").asInt(),
        tasks.size() - running - failed,
        running,
        failed > 0 ? String.format(", %,d failed", failed) : "",
        rows,
        last == null
            ? ""
            : String.format(" · %,.0f rows/s", last.path("rowsPerSecond").asDouble()));
    if (last != null && !last.path("chunkRows").isNull()) {
      out.printf("  chunk size %,d rows%n", last.path("chunkRows").asLong());
    }
    if (last != null && last.hasNonNull("applyLagSeconds")) {
      out.printf("  apply lag %.2f s%n", last.path("applyLagSeconds").asDouble());
    }
    double throttled = 0;
    String throttledNow = null;
    for (JsonNode throttle : status.path("throttles")) {
      throttled += throttle.path("end").asDouble() - throttle.path("start").asDouble();
      if (!status.path("finished").asBoolean()
          && throttle.path("end").asDouble() >= status.path("elapsedSeconds").asDouble()) {
        throttledNow = throttle.path("reason").asText();
      }
    }
    out.printf(
        "  throttled %.1f s in all%s%n",
        throttled, throttledNow == null ? "" : "; now: " + throttledNow);
    JsonNode controls = status.path("controls");
    out.println(
        controls.isObject()
            ? "  controls: " + StatusClient.describeControls(controls)
            : "  controls: none (this job only reports)");
    JsonNode notes = status.path("notes");
    if (notes.size() > 0) {
      out.println("  latest events:");
      for (int i = Math.max(0, notes.size() - EVENTS); i < notes.size(); i++) {
        JsonNode note = notes.get(i);
        out.printf("    %8.1f s  %s%n", note.path("t").asDouble(), note.path("text").asText());
      }
    }
    return 0;
  }
}
