package dev.dray.cli;

import dev.dray.db.ConnectionConfig;
import dev.dray.run.StatusLimit;
import dev.dray.run.ThrottleCondition;
import dev.dray.run.ThrottleConditions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** gh-ost's load limits on the source's global status: pause above one, stop above the other. */
final class LoadLimitOptions {
  @Option(
      names = "--max-load",
      paramLabel = "VAR=N[,VAR=N]",
      description =
          "Pause while any of these global status variables of the source is above its limit,"
              + " e.g. Threads_running=25,Threads_connected=400.")
  String maxLoad;

  @Option(
      names = "--critical-load",
      paramLabel = "VAR=N[,VAR=N]",
      description =
          "Stop the job (exit 1, resumable) when any of these global status variables of the"
              + " source is above its limit, e.g. Threads_running=100.")
  String criticalLoad;

  /**
   * The throttle conditions these options ask for on {@code server}; refuses malformed lists and
   * variables the server does not have (usage errors) before any work.
   */
  List<ThrottleCondition> conditions(ConnectionConfig server) {
    List<StatusLimit> max = StatusLimit.parse("--max-load", maxLoad);
    List<StatusLimit> critical = StatusLimit.parse("--critical-load", criticalLoad);
    ThrottleConditions.requireKnown(server, "--max-load", max);
    ThrottleConditions.requireKnown(server, "--critical-load", critical);
    List<ThrottleCondition> conditions = new ArrayList<>();
    if (!max.isEmpty()) {
      conditions.add(ThrottleConditions.maxLoad(server, max));
    }
    if (!critical.isEmpty()) {
      conditions.add(ThrottleConditions.criticalLoad(server, critical));
    }
    return conditions;
  }
}
