package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.db.TableName;
import dev.dray.db.TableSelection;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadResult;
import dev.dray.load.follow.FollowResult;
import dev.dray.load.follow.FollowSettings;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

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
      paramLabel = "DB.T",
      description = "Table to load (repeatable; a view is refused).")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--schema",
      paramLabel = "DB",
      split = ",",
      description = "Load every base table of this schema (repeatable; views are skipped).")
  List<String> schemas = new ArrayList<>();

  @Option(
      names = "--tables",
      paramLabel = "DB.PATTERN",
      split = ",",
      description =
          "Load the base tables matching these patterns, comma-separated: * any characters,"
              + " ? one (e.g. 'shop.order*,shop.customers'; views are skipped).")
  List<String> tablePatterns = new ArrayList<>();

  @Option(
      names = "--exclude-tables",
      paramLabel = "DB.PATTERN",
      split = ",",
      description =
          "Leave out the tables matching these patterns from what --schema and --tables chose"
              + " (e.g. 'shop.tmp_*').")
  List<String> excludePatterns = new ArrayList<>();

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
      description =
          "Continue an interrupted load: skip tasks already done. With --follow: continue following"
              + " from the position stored in the file, without loading again.")
  boolean resume;

  @Option(
      names = "--follow",
      description =
          "After the load, keep the DuckDB tables current from the source's binary log (ROW format,"
              + " full row images) until SIGTERM/SIGINT or --follow-for ends.")
  boolean follow;

  @Option(
      names = "--apply-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "With --follow: apply buffered changes at least this often (also at once when caught up,"
              + " or when 64 MB are buffered; default: 1s).")
  Duration applyInterval = FollowSettings.DEFAULT_APPLY_INTERVAL;

  @Option(
      names = "--follow-for",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "With --follow: stop after this long (default: until SIGTERM/SIGINT).")
  Duration followFor;

  @Option(
      names = "--on-ddl",
      paramLabel = "reload|fail",
      description =
          "With --follow: a schema change (ALTER, TRUNCATE, DROP, RENAME, partition change) on a"
              + " followed table reloads that table from a fresh snapshot (reload, the default) or"
              + " stops with an error (fail).")
  String onDdl = "reload";

  @Option(
      names = "--share-file",
      description =
          "With --follow: close the DuckDB file between batches (applied every --apply-interval) so"
              + " other processes can open it read-only and query the followed tables.")
  boolean shareFile;

  @Option(
      names = "--report",
      paramLabel = "FILE.json|FILE.html",
      description =
          "Write a report of every task and the totals: JSON, or with a .html name one"
              + " self-contained page with a timeline of every task per worker and rows/s.")
  Path report;

  @Option(
      names = "--status-port",
      paramLabel = "PORT",
      description =
          "Serve a live status page and JSON on 127.0.0.1:PORT while loading (0: any free port).")
  Integer statusPort;

  @Option(
      names = "--json",
      description = "Print the result as one JSON object (the report's content) instead of text.")
  boolean json;

  @Option(
      names = "--dry-run",
      description = "Print the plan (tasks, estimated rows, workers) and touch nothing.")
  boolean dryRun;

  @Mixin LoadLimitOptions loadLimits;

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
    if (follow) {
      builder.follow(followSettings());
    } else if (followFor != null || shareFile || !onDdl.equals("reload")) {
      throw DrayException.usage("--follow-for, --on-ddl and --share-file need --follow");
    }
    List<TableName> chosen = chosenTables(spec.commandLine().getErr());
    chosen.forEach(builder::table);
    loadLimits.conditions(connection.forUrl(source)).forEach(builder::throttleCondition);
    if (dryRun) {
      List<Task> plan = builder.build().plan();
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
    Cancellation cancellation = new Cancellation();
    List<Signal> handled = follow ? stopOnSignals(cancellation) : List.of();
    try (JobReporting reporting =
            JobReporting.of(
                "load",
                chosen.stream().map(TableName::toString).collect(Collectors.joining(", ")),
                report,
                statusPort,
                false);
        LoadProgress progress = new LoadProgress(err, System.console() != null);
        CtrlC ctrlC =
            CtrlC.onInterrupt(
                err,
                () ->
                    List.of(
                        "interrupted: " + progress.standing() + ".",
                        "the finished tasks are kept in " + targetFile + "; the load is resumable:",
                        "  " + CtrlC.commandLine(spec, "--resume")))) {
      LoadJob job = builder.timeline(reporting.timeline()).build();
      reporting.announce(err);
      try {
        result = job.run(cancellation, progress);
      } catch (RuntimeException e) {
        reporting.failed(e);
        throw e;
      }
      reporting.succeeded(result);
    } finally {
      handled.forEach(signal -> Signal.handle(signal, SignalHandler.SIG_DFL));
    }
    if (report != null && !JobReporting.isHtml(report)) {
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
          "resumed: %d of %d tasks were done by the interrupted run%s; %,d rows in total%n",
          result.tasksSkipped(),
          result.tasks(),
          result.mixesPointsInTime()
              ? " from its snapshot, the rest read a new one (two points in time)"
              : "",
          result.rows());
    }
    if (result.zeroDates() > 0) {
      out.printf(
          "%,d zero dates (0000-00-00 and the like) were loaded as NULL%n", result.zeroDates());
    }
    if (result.follow() != null) {
      FollowResult f = result.follow();
      out.printf(
          "followed for %.1f s (stopped by %s): %,d changes applied in %,d batches, freshness p50"
              + " %.2f s, p99 %.2f s, max %.2f s%s; current to %s%n",
          f.seconds(),
          f.stoppedBecause(),
          f.changesApplied(),
          f.batches(),
          f.freshnessP50(),
          f.freshnessP99(),
          f.freshnessMax(),
          f.reloads() > 0 ? ", " + f.reloads() + " table reload(s) after schema changes" : "",
          f.position());
    }
    return 0;
  }

  /**
   * The tables named with --table, then those --schema and --tables choose minus --exclude-tables
   * (a note names each view they skip).
   */
  private List<TableName> chosenTables(PrintWriter err) {
    TableSelection selection = new TableSelection(schemas, tablePatterns, excludePatterns);
    if (tables.isEmpty() && selection.isEmpty()) {
      throw DrayException.usage(
          "choose what to load: --table DB.T, --schema DB or --tables 'DB.PATTERN'");
    }
    if (!excludePatterns.isEmpty() && selection.isEmpty()) {
      throw DrayException.usage(
          "--exclude-tables narrows --schema or --tables; with --table name only what to load");
    }
    Set<TableName> chosen = new LinkedHashSet<>();
    tables.forEach(t -> chosen.add(TableName.parse(t)));
    if (!selection.isEmpty()) {
      TableSelection.Resolved resolved = selection.resolve(connection.forUrl(source));
      for (TableName view : resolved.skippedViews()) {
        err.println("dray: warning: skipping " + view + ": it is a view (load reads base tables)");
      }
      chosen.addAll(resolved.tables());
    }
    return List.copyOf(chosen);
  }

  private FollowSettings followSettings() {
    FollowSettings.OnSchemaChange mode =
        switch (onDdl.toLowerCase(java.util.Locale.ROOT)) {
          case "reload" -> FollowSettings.OnSchemaChange.RELOAD;
          case "fail" -> FollowSettings.OnSchemaChange.FAIL;
          default -> throw DrayException.usage("--on-ddl is reload or fail, not " + onDdl);
        };
    return FollowSettings.defaults()
        .withApplyInterval(applyInterval)
        .withFollowFor(followFor)
        .withOnSchemaChange(mode)
        .withShareFile(shareFile);
  }

  /**
   * SIGTERM and SIGINT stop the follow in order (apply what was read, store the position, print the
   * summary, exit 0) instead of ending the JVM: a shutdown hook could not change the exit code.
   */
  private static List<Signal> stopOnSignals(Cancellation cancellation) {
    List<Signal> signals = new ArrayList<>();
    for (String name : List.of("TERM", "INT")) {
      try {
        Signal signal = new Signal(name);
        Signal.handle(
            signal,
            s -> cancellation.cancel(new InterruptedException("stopped by SIG" + s.getName())));
        signals.add(signal);
      } catch (IllegalArgumentException unsupported) {
        // not on this platform: the default handling stays
      }
    }
    return signals;
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
