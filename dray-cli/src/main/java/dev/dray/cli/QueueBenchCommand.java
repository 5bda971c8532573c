package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.queue.BenchRun;
import dev.dray.queue.BenchStrategy;
import dev.dray.queue.BulkEnqueue;
import dev.dray.queue.QueueBenchmark;
import dev.dray.queue.QueueWorkers;
import dev.dray.report.BenchReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray queue bench}: workload W3 (static or dynamic) with one strategy. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    header = "Runs queue workload W3 on a fresh queue table and prints measured figures.",
    footer = {
      "",
      "Example:",
      "  ./dray queue bench --db jdbc:mariadb://127.0.0.1:3306/bench --strategy skip-locked --jobs 100000",
      "  ./dray queue bench --db jdbc:mariadb://127.0.0.1:3306/bench --strategy all --mode both \\",
      "      --jobs 15000 --producers 5 --seconds 20 --consumers 5 --report bench.html"
    },
    description = {
      "Runs workload W3 on a fresh queue table (dropped and recreated): static (--jobs N preloaded) or",
      "dynamic (--producers P --seconds D, then a drain window). Prints one JSON object of measured figures.",
      "With several strategies (--strategy simple,chunk,skip-locked or all) or --mode both, runs each",
      "in turn and prints a JSON array; --report bench.html draws them all on one page."
    })
public final class QueueBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--db",
      required = true,
      paramLabel = "URL",
      description = "Database to run in (a scratch schema).")
  String db;

  @Option(
      names = "--queue",
      paramLabel = "NAME",
      description = "Table to (re)create (default: ${DEFAULT-VALUE}).")
  String queue = "dray_bench";

  @Option(
      names = "--strategy",
      paramLabel = "S",
      description =
          "simple | chunk | skip-locked, several separated by commas, or all (default:"
              + " ${DEFAULT-VALUE}).")
  String strategy = "skip-locked";

  @Option(
      names = "--mode",
      paramLabel = "M",
      description =
          "static (--jobs preloaded, no producers), dynamic (--producers, no preload), both, or"
              + " auto: dynamic when --producers is given, with --jobs preloaded too (default:"
              + " ${DEFAULT-VALUE}).")
  String mode = "auto";

  @Option(
      names = "--jobs",
      paramLabel = "N",
      description = "Jobs preloaded before timing (static mode).")
  long jobs;

  @Option(
      names = "--consumers",
      paramLabel = "C",
      description = "Consumer threads (default: ${DEFAULT-VALUE}).")
  int consumers = 8;

  @Option(
      names = "--producers",
      paramLabel = "P",
      description = "Producer threads inserting one job per transaction (dynamic mode).")
  int producers;

  @Option(
      names = "--seconds",
      paramLabel = "D",
      description = "How long producers run (default: ${DEFAULT-VALUE}).")
  int seconds = 20;

  @Option(
      names = "--drain",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Drain window after producers stop (default: 30s).")
  Duration drain = Duration.ofSeconds(30);

  @Option(
      names = "--batch",
      paramLabel = "N",
      description = "Max jobs per claim / chunk size (default: ${DEFAULT-VALUE}).")
  int batch = QueueWorkers.DEFAULT_MAX_BATCH;

  @Option(
      names = "--bulk-jobs",
      paramLabel = "N",
      description = "Also bulk-enqueue N jobs via the hold table during the dynamic window.")
  long bulkJobs;

  @Option(
      names = "--bulk-chunk",
      paramLabel = "N",
      description = "Chunk size of that bulk enqueue (default: ${DEFAULT-VALUE}).")
  int bulkChunk = BulkEnqueue.DEFAULT_CHUNK_SIZE;

  @Option(
      names = "--concurrent-claims",
      paramLabel = "N",
      description =
          "skip-locked: at most N consumers claim at once (default: ${DEFAULT-VALUE}; 0: no limit).")
  int concurrentClaims = QueueWorkers.DEFAULT_CONCURRENT_CLAIMS;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description =
          "Also write the report here: JSON, or with a .html name one self-contained page comparing"
              + " the runs (throughput and backlog over time, latency distributions, leftovers).")
  Path report;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    OutputPaths.requireWritable("--report", report);
    List<BenchStrategy> strategies = strategies(strategy);
    List<Boolean> dynamicRuns = modes(mode);
    boolean html = report != null && JobReporting.isHtml(report);
    long startedAt = System.currentTimeMillis();
    List<BenchRun> runs = new ArrayList<>();
    for (Boolean dynamic : dynamicRuns) {
      for (BenchStrategy each : strategies) {
        if (strategies.size() * dynamicRuns.size() > 1) {
          spec.commandLine()
              .getErr()
              .printf(
                  "running %s %s%n",
                  each.label(), dynamic == null ? "" : dynamic ? "dynamic" : "static");
        }
        QueueBenchmark.Builder builder =
            QueueBenchmark.builder()
                .connection(connection.forUrl(db))
                .queue(queue)
                .strategy(each)
                .jobs(Boolean.TRUE.equals(dynamic) ? 0 : jobs)
                .consumers(consumers)
                .producers(Boolean.FALSE.equals(dynamic) ? 0 : producers)
                .duration(Duration.ofSeconds(seconds))
                .drain(drain)
                .batch(batch)
                .bulkJobs(Boolean.FALSE.equals(dynamic) ? 0 : bulkJobs, bulkChunk)
                .concurrentClaims(concurrentClaims);
        runs.add(builder.build().runRecorded());
      }
    }
    List<Map<String, Object>> maps = runs.stream().map(r -> r.result().toMap()).toList();
    Object printed = maps.size() == 1 ? maps.get(0) : maps;
    PrintWriter out = spec.commandLine().getOut();
    out.println(Reports.toJson(printed));
    if (html) {
      BenchReport.write(report, title(strategies, dynamicRuns), startedAt, runs, settings());
    } else if (report != null) {
      Reports.write(report, printed);
    }
    return 0;
  }

  private static List<BenchStrategy> strategies(String text) {
    if (text.trim().equalsIgnoreCase("all")) {
      return List.of(BenchStrategy.values());
    }
    List<BenchStrategy> list = new ArrayList<>();
    for (String name : text.split(",")) {
      BenchStrategy parsed = BenchStrategy.parse(name);
      if (!list.contains(parsed)) {
        list.add(parsed);
      }
    }
    return list;
  }

  /** The runs' modes: true dynamic, false static, null as the options say (auto). */
  private List<Boolean> modes(String text) {
    List<Boolean> modes =
        switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
          case "auto" -> java.util.Collections.singletonList(null);
          case "static" -> List.of(false);
          case "dynamic" -> List.of(true);
          case "both" -> List.of(false, true);
          default ->
              throw DrayException.usage(
                  "unknown --mode " + text + ": use static, dynamic, both or auto");
        };
    if (modes.contains(Boolean.FALSE) && jobs <= 0) {
      throw DrayException.usage("--mode " + text + " runs static: give --jobs N");
    }
    if (modes.contains(Boolean.TRUE) && producers <= 0) {
      throw DrayException.usage("--mode " + text + " runs dynamic: give --producers P");
    }
    return modes;
  }

  private String title(List<BenchStrategy> strategies, List<Boolean> modes) {
    return strategies.stream().map(BenchStrategy::label).collect(Collectors.joining(", "))
        + " · "
        + consumers
        + " consumers"
        + (modes.contains(Boolean.FALSE) || (modes.contains(null) && producers == 0)
            ? " · static " + jobs + " jobs"
            : "")
        + (modes.contains(Boolean.TRUE) || (modes.contains(null) && producers > 0)
            ? " · dynamic " + producers + " producers for " + seconds + " s"
            : "");
  }

  private Map<String, Object> settings() {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("db", db);
    settings.put("queue", queue);
    settings.put("strategy", strategy);
    settings.put("mode", mode);
    settings.put("jobs", jobs);
    settings.put("consumers", consumers);
    settings.put("producers", producers);
    settings.put("seconds", seconds);
    settings.put("drain", drain.toString());
    settings.put("batch", batch);
    settings.put("bulkJobs", bulkJobs);
    settings.put("concurrentClaims", concurrentClaims);
    return settings;
  }
}
