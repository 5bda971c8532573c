package dev.dray.cli;

import dev.dray.DrayException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dray ctl}: steers a job running with {@code --status-port}. */
@Command(
    name = "ctl",
    mixinStandardHelpOptions = true,
    header = "Steers a job running with --status-port (throttle, workers, chunk size, ...).",
    footer = {
      "",
      "Examples:",
      "  ./dray ctl --port 8765 throttle",
      "  ./dray ctl --port 8765 unthrottle",
      "  ./dray ctl --port 8765 workers 2",
      "  ./dray ctl --port 8765 chunk-size 5000",
      "  ./dray ctl --port 8765 rate 20000        (rows per second; 0 removes the limit)",
      "  ./dray ctl --port 8765 cutover           (alter only)"
    },
    description = {
      "Sends one control request to a running job and prints the controls' state:",
      "  throttle          hold every worker before its next chunk",
      "  unthrottle        let them go on",
      "  workers N         run N workers (surplus ones stop after their chunk)",
      "  chunk-size N      rows per chunk for the chunks planned from now on",
      "  rate N            at most N rows per second (0: no limit)",
      "  cutover           alter: cut over once caught up, even if postponed",
      "  postpone-cutover  alter: hold the cut-over until 'cutover'",
      "Changes take effect between chunks, are logged and appear in the report."
    })
public final class CtlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StatusTarget target;

  @Parameters(
      index = "0",
      paramLabel = "ACTION",
      description =
          "throttle | unthrottle | workers | chunk-size | rate | cutover | postpone-cutover")
  String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "N", description = "The new value.")
  String value;

  @Override
  public Integer call() {
    String request = request(action.toLowerCase(Locale.ROOT), value);
    var state = target.client().control(request);
    spec.commandLine().getOut().println(StatusClient.describeControls(state));
    return 0;
  }

  /** The status server's path for an action, such as {@code chunk-size?rows=500}. */
  static String request(String action, String value) {
    return switch (action) {
      case "throttle", "unthrottle" -> noValue(action, value);
      case "cutover", "cut-over" -> noValue("cut-over", value);
      case "postpone-cutover", "postpone-cut-over" -> noValue("postpone-cut-over", value);
      case "workers" -> "workers?n=" + number(action, value);
      case "chunk-size" -> "chunk-size?rows=" + number(action, value);
      case "rate" -> "max-rows-per-second?n=" + number(action, value);
      default ->
          throw DrayException.usage(
              "unknown action "
                  + action
                  + ": use "
                  + String.join(
                      ", ",
                      List.of(
                          "throttle",
                          "unthrottle",
                          "workers N",
                          "chunk-size N",
                          "rate N",
                          "cutover",
                          "postpone-cutover")));
    };
  }

  private static String noValue(String path, String value) {
    if (value != null) {
      throw DrayException.usage(path + " takes no value, got " + value);
    }
    return path;
  }

  private static long number(String action, String value) {
    if (value == null) {
      throw DrayException.usage(action + " needs a value: dray ctl --port PORT " + action + " N");
    }
    try {
      return Long.parseLong(value.replace("_", ""));
    } catch (NumberFormatException e) {
      throw DrayException.usage(action + " takes a whole number, not " + value);
    }
  }
}
