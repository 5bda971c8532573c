package dev.dray.cli;

import dev.dray.queue.BenchResult;
import dev.dray.queue.BenchStrategy;
import dev.dray.queue.BulkEnqueue;
import dev.dray.queue.QueueBenchmark;
import dev.dray.queue.QueueWorkers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
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
      "  ./dray queue bench --db jdbc:mariadb://127.0.0.1:3306/bench --strategy skip-locked --jobs 100000"
    },
    description = {
      "Runs workload W3 on a fresh queue table (dropped and recreated): static (--jobs N preloaded) or",
      "dynamic (--producers P --seconds D, then a drain window). Prints one JSON object of measured figures."
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
      description = "simple | chunk | skip-locked (default: ${DEFAULT-VALUE}).")
  String strategy = "skip-locked";

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
      paramLabel = "F.json",
      description = "Also write the JSON report here.")
  Path report;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    OutputPaths.requireWritable("--report", report);
    BenchResult result =
        QueueBenchmark.builder()
            .connection(connection.forUrl(db))
            .queue(queue)
            .strategy(BenchStrategy.parse(strategy))
            .jobs(jobs)
            .consumers(consumers)
            .producers(producers)
            .duration(Duration.ofSeconds(seconds))
            .drain(drain)
            .batch(batch)
            .bulkJobs(bulkJobs, bulkChunk)
            .concurrentClaims(concurrentClaims)
            .build()
            .run();
    Map<String, Object> map = result.toMap();
    PrintWriter out = spec.commandLine().getOut();
    out.println(Reports.toJson(map));
    if (report != null) {
      Reports.write(report, map);
    }
    return 0;
  }
}
