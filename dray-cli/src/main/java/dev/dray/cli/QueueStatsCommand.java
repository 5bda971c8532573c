package dev.dray.cli;

import dev.dray.queue.JobQueue;
import dev.dray.queue.QueueStats;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray queue stats}: counts by state, oldest ready age and recent throughput. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    header = "Shows ready, leased, dead and done jobs, the oldest ready job's age and throughput.",
    footer = {
      "",
      "Example:",
      "  ./dray queue stats --db jdbc:mariadb://127.0.0.1:3306/shop --queue emails --json"
    },
    description =
        "Shows ready, leased, dead and done jobs, the oldest ready job's age and throughput.")
public final class QueueStatsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin QueueTarget target;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Option(
      names = "--sample",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Measure throughput over this long (default: 1s; 0 to skip).")
  Duration sample = Duration.ofSeconds(1);

  @Override
  public Integer call() {
    QueueStats stats =
        JobQueue.builder().connection(target.config()).queue(target.queue).build().stats(sample);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Reports.toJson(stats.toMap()));
    } else {
      out.printf(
          "queue %s: ready %,d, delayed %,d, leased %,d, dead %,d, done %s; oldest ready %.1f s; throughput %s%n",
          target.queue,
          stats.ready(),
          stats.delayed(),
          stats.leased(),
          stats.dead(),
          stats.done() < 0 ? "n/a (no done table)" : String.format("%,d", stats.done()),
          stats.oldestReadyAgeSeconds(),
          stats.throughputPerSecond() < 0
              ? "not sampled"
              : String.format("%,.0f jobs/s", stats.throughputPerSecond()));
    }
    return 0;
  }
}
