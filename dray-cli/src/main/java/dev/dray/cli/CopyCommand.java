package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.Secrets;
import dev.dray.copy.ApplyProgress;
import dev.dray.copy.CopyJob;
import dev.dray.copy.CopyListener;
import dev.dray.copy.CopyMode;
import dev.dray.copy.CopyPlan;
import dev.dray.copy.CopyProgress;
import dev.dray.copy.CopyResult;
import dev.dray.copy.CopySettings;
import dev.dray.copy.OnlineCopy;
import dev.dray.copy.OnlineCopyListener;
import dev.dray.copy.OnlineCopyResult;
import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.run.Cancellation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray copy}: parallel chunked copy of one table into another, resumable and throttled. */
@Command(
    name = "copy",
    mixinStandardHelpOptions = true,
    header = "Copies a table into another in parallel primary-key chunks, resumable and throttled.",
    footer = {
      "",
      "Example:",
      "  ./dray copy --source jdbc:mariadb://127.0.0.1:3306/shop --user etl --password-env SHOP_PW \\",
      "        --table shop.orders --target-table shop.orders_copy --workers 2 --chunk-time 500ms"
    },
    sortOptions = false,
    description = {
      "Copies a table into an existing, empty table (same server: INSERT ... SELECT ... LOCK IN SHARE MODE per chunk;",
      "another server: streamed reads and batched inserts) in parallel primary-key chunks. A target that could drop or",
      "change rows is refused before anything is written; every chunk's rows are counted. A gap-free checkpoint on the",
      "target (_dray_checkpoint) lets --resume continue after a crash; throttling pauses workers, never kills them."
    })
public final class CopyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TablePairOptions tables;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Parallel workers, 1 to 64 (default: ${DEFAULT-VALUE}).")
  int workers = CopySettings.DEFAULT_WORKERS;

  @Option(
      names = {"--chunk-size", "--chunk-rows"},
      paramLabel = "N",
      description =
          "Rows per chunk; with --chunk-time the starting size (default: ${DEFAULT-VALUE}).")
  long chunkSize = CopySettings.DEFAULT_CHUNK_ROWS;

  @Option(
      names = "--chunk-time",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Adapt the chunk size so a chunk takes about this long, e.g. 500ms.")
  Duration chunkTime;

  @Option(
      names = "--resume",
      description = "Continue from the checkpoint of an earlier run of this copy.")
  boolean resume;

  @Option(
      names = "--overwrite-target",
      description =
          "Accept a target that already holds rows: each chunk's key range is emptied in the"
              + " target before it is copied, so the target ends up with exactly the source's rows"
              + " (without it a non-empty target is refused unless resuming).")
  boolean overwriteTarget;

  @Option(
      names = "--create-target",
      description =
          "Create the target table when it does not exist: CREATE TABLE ... LIKE the source on the"
              + " same server, the source's SHOW CREATE TABLE statement on another (an existing"
              + " target is used as it is).")
  boolean createTarget;

  @Option(
      names = "--max-threads-running",
      paramLabel = "N",
      description = "Pause while the source's Threads_running is above N.")
  long maxThreadsRunning;

  @Option(
      names = "--max-replica-lag",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Pause while any --replica lags more than this (default 1s when replicas are given).")
  Duration maxReplicaLag;

  @Option(
      names = "--replica",
      paramLabel = "URL",
      description = "A replica whose lag is watched (repeatable).")
  List<String> replicas = new ArrayList<>();

  @Option(
      names = "--replica-user",
      paramLabel = "USER",
      description =
          "User on every --replica (default: from its URL, else root; without any"
              + " --replica-* option the replicas use the source's credentials).")
  String replicaUser;

  @Option(
      names = "--replica-password-env",
      paramLabel = "VAR",
      description = "Read the --replica password from this environment variable.")
  String replicaPasswordEnv;

  @Option(
      names = "--replica-password-file",
      paramLabel = "FILE",
      description = "Read the --replica password from the first line of this file.")
  Path replicaPasswordFile;

  @Option(
      names = "--throttle-query",
      paramLabel = "SQL",
      description = "Pause while this query (run on the source) returns non-zero.")
  String throttleQuery;

  @Option(
      names = "--pause-file",
      paramLabel = "FILE",
      description = "Pause while this file exists.")
  Path pauseFile;

  @Option(
      names = "--max-rows-per-second",
      paramLabel = "N",
      description = "Copy at most N rows per second.")
  long maxRowsPerSecond;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      description =
          "auto, server-side or streaming (default: auto = server-side on the same server).")
  String mode = "auto";

  @Option(
      names = "--job-id",
      paramLabel = "ID",
      description = "Name of the job in the checkpoint table (default: SOURCE>TARGET).")
  String jobId;

  @Option(
      names = "--retries",
      paramLabel = "K",
      description =
          "Attempts per chunk on deadlock, lock wait timeout or lost connection (default: ${DEFAULT-VALUE}).")
  int maxAttempts = CopySettings.DEFAULT_MAX_ATTEMPTS;

  @Option(
      names = "--lock-wait-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Session innodb_lock_wait_timeout of the workers (default: the server's).")
  Duration lockWaitTimeout;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Least time between checkpoint writes; 0 = with every chunk that moves the frontier (default: 100ms).")
  Duration checkpointInterval;

  @Option(
      names = "--progress-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Print a progress line this often, 0 for none (default: 5s).")
  Duration progressInterval = Duration.ofSeconds(5);

  @Option(
      names = "--report",
      paramLabel = "FILE.json|FILE.html",
      description =
          "Write a report of the run: JSON, or with a .html name one self-contained page with a"
              + " timeline of every chunk, rows/s, chunk size and throttling.")
  Path report;

  @Option(
      names = "--status-port",
      paramLabel = "PORT",
      description =
          "Serve a live status page and a JSON control API on 127.0.0.1:PORT while copying"
              + " (0: any free port; see docs/REPORTS.md).")
  Integer statusPort;

  @Option(
      names = "--json",
      description = "Print the result as one JSON object (the report's content) instead of text.")
  boolean json;

  @Option(
      names = "--dry-run",
      description = "Print the plan (mode, columns, chunks, checkpoint) and touch nothing.")
  boolean dryRun;

  @Option(
      names = "--online",
      description =
          "Copy a table in use: also apply the source's changes from its binary log (ROW format,"
              + " full row images) while and after the chunks copy, until the target has caught"
              + " up; prints the binlog position the target is consistent with.")
  boolean online;

  @Option(
      names = "--follow",
      description =
          "Like --online, then keep applying changes until SIGTERM/SIGINT or --stop-file;"
              + " then apply what was read, store the position and exit 0.")
  boolean follow;

  @Option(
      names = "--max-apply-lag",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "With --online/--follow: pause the copy workers while applying lags more than this"
              + " (default: 2s).")
  Duration maxApplyLag = OnlineCopy.DEFAULT_MAX_APPLY_LAG;

  @Option(
      names = "--stop-file",
      paramLabel = "FILE",
      description = "With --follow: stop when this file appears.")
  Path stopFile;

  @Option(
      names = "--server-id",
      paramLabel = "ID",
      description =
          "With --online/--follow: the replica server id to read the binary log with; unique among"
              + " the source's replicas (default: random).")
  long serverId;

  @Mixin LoadLimitOptions loadLimits;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    OutputPaths.requireWritable("--report", report);
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> environment = CliEnvironment.get();
    CopyJob.Builder builder =
        CopyJob.builder()
            .source(tables.sourceConfig(connection, environment))
            .sourceTable(tables.sourceTable())
            .target(tables.targetConfig(connection, environment))
            .targetTable(tables.targetTable())
            .workers(workers)
            .chunkRows(chunkSize)
            .chunkTime(chunkTime)
            .mode(parseMode(mode))
            .resume(resume)
            .overwriteTarget(overwriteTarget)
            .createTarget(createTarget)
            .jobId(jobId)
            .maxAttempts(maxAttempts)
            .lockWaitTimeout(lockWaitTimeout)
            .checkpointInterval(checkpointInterval)
            .maxThreadsRunning(maxThreadsRunning)
            .maxReplicaLag(maxReplicaLag)
            .throttleQuery(throttleQuery)
            .pauseFile(pauseFile)
            .maxRowsPerSecond(maxRowsPerSecond);
    replicaConfigs(environment).forEach(builder::replica);
    loadLimits
        .conditions(tables.sourceConfig(connection, environment))
        .forEach(builder::throttleCondition);
    if (online || follow) {
      if (dryRun) {
        printPlan(out, builder.build().plan());
        out.printf(
            "  online      changes from the source's binary log, applied %s%n",
            follow ? "until stopped (--follow)" : "until caught up");
        return 0;
      }
      return runOnline(builder, out, err);
    }
    if (stopFile != null) {
      throw DrayException.usage("--stop-file needs --follow");
    }
    if (dryRun) {
      printPlan(out, builder.build().plan());
      return 0;
    }
    java.time.Instant startedAt = java.time.Instant.now();
    CopyResult result;
    AtomicReference<Supplier<CopyProgress>> progressSource = new AtomicReference<>();
    try (JobReporting reporting =
            JobReporting.of(
                "copy",
                tables.sourceTable() + " -> " + tables.targetTable(),
                report,
                statusPort,
                true);
        CopyProgressPrinter printer = new CopyProgressPrinter(err, progressInterval);
        CtrlC ctrlC = CtrlC.onInterrupt(err, () -> interrupted(progressSource.get()))) {
      CopyJob job = builder.timeline(reporting.timeline()).controls(reporting.controls()).build();
      reporting.announce(err);
      try {
        result =
            job.run(
                new Cancellation(),
                new CopyListener() {
                  @Override
                  public void planned(dev.dray.copy.CopyPlan plan) {
                    if (plan.targetState() != null) {
                      err.printf("target table %s %s%n", plan.targetTable(), plan.targetState());
                    }
                  }

                  @Override
                  public void started(Supplier<CopyProgress> progress) {
                    progressSource.set(progress);
                    printer.start(progress);
                  }
                });
      } catch (RuntimeException e) {
        reporting.failed(e);
        throw e;
      }
      reporting.succeeded(result);
    }
    String targetUrl = tables.target == null ? tables.source : tables.target;
    if (report != null && !JobReporting.isHtml(report)) {
      Reports.writeJob(report, result, startedAt, tables.source, targetUrl);
    }
    if (json) {
      out.println(
          Reports.toJson(
              Reports.jobReport(
                  result, startedAt, java.time.Instant.now(), tables.source, targetUrl)));
      return 0;
    }
    out.printf(
        "copied %,d rows from %s to %s in %,d chunks with %d workers in %.2f s (%,.0f rows/s, %s, throttled %.1f s, %d retries); checkpoint at chunk #%d%n",
        result.rowsCopied(),
        result.sourceTable(),
        result.targetTable(),
        result.chunks(),
        result.workers(),
        result.seconds(),
        result.rowsPerSecond(),
        result.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        result.throttledSeconds(),
        result.retries(),
        result.checkpointSequence());
    return 0;
  }

  /** The Ctrl-C message: how far the copy got and the command that continues it. */
  private List<String> interrupted(Supplier<CopyProgress> progress) {
    String resume = "  " + CtrlC.commandLine(spec, "--resume");
    if (progress == null) {
      return List.of(
          "interrupted before the first chunk; nothing was copied. Run it again:", resume);
    }
    CopyProgress p = progress.get();
    return List.of(
        String.format(
            "interrupted: %,d rows copied in this run, %,d chunks; the checkpoint is at chunk #%d"
                + " (chunks after it are copied again on resume, harmlessly).",
            p.rowsCopied(), p.chunksDone(), p.frontierSequence()),
        "the copy is resumable:",
        resume);
  }

  private int runOnline(CopyJob.Builder builder, PrintWriter out, PrintWriter err) {
    OnlineCopy copy =
        OnlineCopy.builder()
            .copy(builder)
            .follow(follow)
            .maxApplyLag(maxApplyLag)
            .stopFile(stopFile)
            .serverId(serverId)
            .build();
    SignalStop stop = new SignalStop(out, err);
    Cancellation cancellation = stop.cancellation();
    try (OnlineProgressPrinter printer = new OnlineProgressPrinter(err, progressInterval)) {
      OnlineCopyResult result =
          copy.run(
              cancellation,
              new OnlineCopyListener() {
                @Override
                public void started(Supplier<CopyProgress> progress) {
                  printer.copy(progress);
                }

                @Override
                public void applying(BinlogPosition start, Supplier<ApplyProgress> progress) {
                  printer.apply(progress);
                }

                @Override
                public void caughtUp(BinlogPosition position) {
                  printer.copyDone();
                  err.println("online: caught up at " + position);
                  err.flush();
                }
              });
      CopyResult copied = result.copy();
      out.printf(
          "copied %,d rows from %s to %s in %,d chunks with %d workers in %.2f s; applied %,d"
              + " changes in %,d transactions (%,d batches, max apply lag %.1f s)%n",
          copied.rowsCopied(),
          copied.sourceTable(),
          copied.targetTable(),
          copied.chunks(),
          copied.workers(),
          result.seconds(),
          result.changesApplied(),
          result.transactionsApplied(),
          result.batches(),
          result.maxApplyLagSeconds());
      out.printf(
          "consistent with binlog %s%s%n",
          result.consistentAt().coordinates(),
          result.consistentAt().gtid() == null
              ? ""
              : " (GTID " + result.consistentAt().gtid() + ")");
      out.flush();
      if (report != null) {
        Reports.write(report, result);
      }
      stop.exitCode(0);
      return 0;
    } catch (DrayException e) {
      stop.exitCode(e.code().exitCode());
      if (stop.signalled()) {
        // the shutdown hook ends the process as soon as this run is over: say why here
        err.println("dray: " + Secrets.redact(e.getMessage()));
        err.flush();
      }
      throw e;
    } finally {
      stop.close();
    }
  }

  /**
   * The {@code --replica} servers, with the {@code --replica-*} credentials when any is given, else
   * the source's.
   */
  List<ConnectionConfig> replicaConfigs(Map<String, String> environment) {
    Credentials own =
        new Credentials("--replica-", replicaUser, replicaPasswordEnv, replicaPasswordFile);
    if (replicas.isEmpty() && own.given()) {
      throw DrayException.usage(own.optionNames() + " need at least one --replica URL");
    }
    List<ConnectionConfig> configs = new ArrayList<>();
    for (String replica : replicas) {
      configs.add(
          own.forUrlOr(
              connection.credentials(), connection.withConnectTimeout(replica), environment));
    }
    return configs;
  }

  private static void printPlan(PrintWriter out, CopyPlan plan) {
    out.printf(
        "plan: copy %s -> %s (job %s)%n", plan.sourceTable(), plan.targetTable(), plan.jobId());
    out.printf("  mode        %s%n", plan.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    out.printf("  columns     %s%n", String.join(", ", plan.columns()));
    out.printf("  key         %s%n", String.join(", ", plan.keyColumns()));
    out.printf("  rows        ~%,d%n", plan.estimatedRows());
    out.printf(
        "  chunks      ~%,d of %,d rows%s%n",
        plan.estimatedChunks(),
        plan.chunkRows(),
        plan.chunkTime() == null
            ? ""
            : " to start, adapting to " + plan.chunkTime() + " per chunk");
    out.printf("  workers     %d%n", plan.workers());
    out.printf("  checkpoint  %s%n", plan.checkpointTable());
    out.printf(
        "  checks      target keys, CHECK constraints, character sets and NULLs hold every source"
            + " row unchanged; writes are strict and counted per chunk%n");
    if (plan.targetState() != null) {
      out.printf("  target      %s%n", plan.targetState());
    }
    if (plan.lockHolder() != null) {
      out.printf(
          "  running     now, by %s: a run would be refused until it ends%n", plan.lockHolder());
    }
    if (plan.resumeFrom() != null) {
      out.printf(
          "  resume      after chunk #%d (%,d rows copied, next keys from %s)%n",
          plan.resumeFrom().sequence(),
          plan.resumeFrom().rowsCopied(),
          plan.resumeFrom().lastRange() == null
              ? "the start"
              : String.valueOf(plan.resumeFrom().lastRange().upper()));
    }
  }

  static CopyMode parseMode(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "auto" -> CopyMode.AUTO;
      case "server-side", "server_side" -> CopyMode.SERVER_SIDE;
      case "streaming" -> CopyMode.STREAMING;
      default ->
          throw DrayException.usage("--mode must be auto, server-side or streaming, not " + text);
    };
  }
}
