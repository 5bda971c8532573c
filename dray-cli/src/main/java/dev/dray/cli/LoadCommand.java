package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.db.TableName;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadResult;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray load}: parallel load of tables into a DuckDB file. */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    header = "Loads MySQL/MariaDB tables into a DuckDB file in parallel, from one snapshot.",
    footer = {
      "",
      "Example:",
      "  ./dray load --source jdbc:mariadb://127.0.0.1:3306/shop --user etl --password-env SHOP_PW \\",
      "        --table shop.orders --target duckdb:orders.duckdb --report load.json"
    },
    description = {
      "Loads MySQL/MariaDB tables into a DuckDB file in parallel: one task per partition (or key range of a big one),",
      "all workers reading one consistent snapshot; the target table is replaced atomically when every task succeeded."
    })
public final class LoadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "URL",
      description = "Source JDBC URL, e.g. jdbc:mariadb://127.0.0.1:3306/shop")
  String source;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "DB.T",
      description = "Table to load (repeatable).")
  List<String> tables;

  @Option(
      names = "--target",
      required = true,
      paramLabel = "duckdb:FILE",
      description = "Target DuckDB file, as duckdb:FILE or a path.")
  String target;

  @Option(
      names = "--target-table",
      paramLabel = "NAME",
      description = "Target table name (one source table only; default: the source table's name).")
  String targetTable;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Parallel workers (default: max(2, round(0.8 x cores)) = ${DEFAULT-VALUE}).")
  int workers = LoadJob.defaultWorkers();

  @Option(
      names = {"--chunk-rows", "--chunk-size"},
      paramLabel = "N",
      description =
          "Split partitions/tables larger than this into key ranges (default: ${DEFAULT-VALUE}).")
  long chunkRows = LoadJob.DEFAULT_CHUNK_ROWS;

  @Option(
      names = "--resume",
      description = "Continue an interrupted load: skip tasks already done.")
  boolean resume;

  @Option(
      names = "--report",
      paramLabel = "FILE.json",
      description = "Write a JSON report of every task and the totals.")
  Path report;

  @Option(
      names = "--json",
      description = "Print the result as one JSON object (the report's content) instead of text.")
  boolean json;

  @Option(
      names = "--dry-run",
      description = "Print the plan (tasks, estimated rows, workers) and touch nothing.")
  boolean dryRun;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path targetFile = targetPath(target);
    OutputPaths.requireWritable("--target", targetFile);
    OutputPaths.requireWritable("--report", report);
    LoadJob.Builder builder =
        LoadJob.builder()
            .source(connection.forUrl(source))
            .target(targetFile)
            .targetTable(targetTable)
            .workers(workers)
            .chunkRows(chunkRows)
            .resume(resume);
    for (String table : tables) {
      builder.table(TableName.parse(table));
    }
    LoadJob job = builder.build();
    if (dryRun) {
      List<Task> plan = job.plan();
      int effectiveWorkers = Math.max(1, Math.min(workers, plan.size()));
      out.printf(
          "plan: %d tasks, %d workers, about %,d rows%n",
          plan.size(), effectiveWorkers, plan.stream().mapToLong(Task::estimatedRows).sum());
      for (Task task : plan) {
        out.printf(
            "  #%-4d %-60s ~%,d rows%n", task.sequence(), task.describe(), task.estimatedRows());
      }
      return 0;
    }
    PrintWriter err = spec.commandLine().getErr();
    java.time.Instant startedAt = java.time.Instant.now();
    LoadResult result;
    try (LoadProgress progress = new LoadProgress(err, System.console() != null);
        CtrlC ctrlC =
            CtrlC.onInterrupt(
                err,
                () ->
                    List.of(
                        "interrupted: " + progress.standing() + ".",
                        "the finished tasks are kept in " + targetFile + "; the load is resumable:",
                        "  " + CtrlC.commandLine(spec, "--resume")))) {
      result = job.run(new Cancellation(), progress);
    }
    if (report != null) {
      Reports.writeJob(report, result, startedAt, source, target);
    }
    if (json) {
      out.println(
          Reports.toJson(
              Reports.jobReport(result, startedAt, java.time.Instant.now(), source, target)));
      return 0;
    }
    out.printf(
        "loaded %,d rows from %d table(s) in %d tasks with %d workers in %.1f s (%,.0f rows/s) into %s%n",
        result.rowsThisRun(),
        result.tables().size(),
        result.tasks() - result.tasksSkipped(),
        result.workers(),
        result.seconds(),
        result.rowsPerSecond(),
        result.target());
    if (result.tasksSkipped() > 0) {
      out.printf(
          "resumed: %d of %d tasks were done by the interrupted run; %,d rows in total%n",
          result.tasksSkipped(), result.tasks(), result.rows());
    }
    if (result.zeroDates() > 0) {
      out.printf(
          "%,d zero dates (0000-00-00 and the like) were loaded as NULL%n", result.zeroDates());
    }
    return 0;
  }

  /**
   * A scheme such as {@code parquet:} or {@code s3:} (two letters at least: not a drive letter).
   */
  private static final java.util.regex.Pattern SCHEME =
      java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");

  static Path targetPath(String target) {
    java.util.regex.Matcher scheme = SCHEME.matcher(target);
    if (scheme.find() && !scheme.group(1).equals("duckdb")) {
      throw DrayException.usage(
          "--target "
              + target
              + ": only duckdb:FILE targets are supported, not "
              + scheme.group(1)
              + ": (load into DuckDB, then COPY ... TO 'x.parquet' from DuckDB)");
    }
    String path = target.startsWith("duckdb:") ? target.substring("duckdb:".length()) : target;
    if (path.isBlank()) {
      throw DrayException.usage("--target needs a file: duckdb:FILE");
    }
    return Path.of(path);
  }
}
