package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.Secrets;
import dev.dray.alter.AlterJob;
import dev.dray.alter.AlterListener;
import dev.dray.alter.AlterPlan;
import dev.dray.alter.AlterResult;
import dev.dray.copy.ApplyProgress;
import dev.dray.copy.CopyProgress;
import dev.dray.copy.CopySettings;
import dev.dray.copy.OnlineCopy;
import dev.dray.db.BinlogPosition;
import dev.dray.db.TableName;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray alter}: online schema change by copy, binary log apply and an atomic cut-over. */
@Command(
    name = "alter",
    mixinStandardHelpOptions = true,
    header =
        "Changes a table's schema online: copy into a new table, apply live changes, cut over.",
    footer = {
      "",
      "Example:",
      "  ./dray alter --source jdbc:mariadb://127.0.0.1:3306/shop --user etl --password-env SHOP_PW \\",
      "        --table shop.orders --alter \"ADD COLUMN note VARCHAR(64) NULL\" --workers 2",
      "",
      "Cut over now, although --postpone-cut-over-flag-file exists (with --status-port P):",
      "  curl -X POST http://127.0.0.1:P/cut-over"
    },
    sortOptions = false,
    description = {
      "Creates _T_new as T with the ALTER applied, copies T into it in parallel",
      "chunks while applying T's changes from the binary log (ROW, full images),",
      "then cuts over: writes to T wait (they do not fail) for at most --cut-over-",
      "lock-timeout while the last changes are applied and one RENAME makes the new",
      "table T; the original stays as _T_old. Refused before anything changes:",
      "binary log off or not ROW/FULL, missing replication grants, no key, foreign",
      "keys, triggers, an alter that removes the key, _T_new/_T_old taken. Rows the",
      "new table cannot hold fail the alter before the cut-over, naming the value;",
      "T is untouched. --resume continues after a crash, also one during the cut-",
      "over."
    })
public final class AlterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "URL",
      description = "JDBC URL of the server, e.g. jdbc:mariadb://127.0.0.1:3306/shop")
  String source;

  @Option(names = "--table", required = true, paramLabel = "DB.T", description = "The table.")
  String table;

  @Option(
      names = "--alter",
      required = true,
      paramLabel = "SPEC",
      description =
          "What follows ALTER TABLE T, e.g. \"ADD COLUMN c INT NULL, CHANGE COLUMN a b"
              + " VARCHAR(20)\" (renames by CHANGE/RENAME COLUMN are followed).")
  String alter;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Parallel copy workers, 1 to 64 (default: ${DEFAULT-VALUE}).")
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
      names = "--max-apply-lag",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Pause the copy workers while applying changes lags more than this; the cut-over waits"
              + " for the lag to fall below it (default: 2s).")
  Duration maxApplyLag = OnlineCopy.DEFAULT_MAX_APPLY_LAG;

  @Option(
      names = "--postpone-cut-over-flag-file",
      paramLabel = "FILE",
      description =
          "While this file exists, stay caught up and do not cut over (delete it to cut over).")
  Path postponeFlagFile;

  @Option(
      names = "--cut-over-lock-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "The longest writes to the table may wait at a cut-over attempt; an attempt that takes"
              + " longer is rolled back and retried with backoff (default: 3s).")
  Duration cutOverLockTimeout = AlterJob.DEFAULT_CUT_OVER_LOCK_TIMEOUT;

  @Option(
      names = "--drop-old-table",
      description = "Drop the original table after the cut-over (default: keep it as _T_old).")
  boolean dropOldTable;

  @Option(
      names = "--resume",
      description = "Continue an interrupted alter (copy, apply or cut-over) where it stopped.")
  boolean resume;

  @Option(
      names = "--pause-file",
      paramLabel = "FILE",
      description = "Pause the copy while this file exists.")
  Path pauseFile;

  @Option(
      names = "--max-threads-running",
      paramLabel = "N",
      description = "Pause the copy while the server's Threads_running is above N.")
  long maxThreadsRunning;

  @Option(
      names = "--max-rows-per-second",
      paramLabel = "N",
      description = "Copy at most N rows per second.")
  long maxRowsPerSecond;

  @Option(
      names = "--throttle-query",
      paramLabel = "SQL",
      description = "Pause the copy while this query returns non-zero.")
  String throttleQuery;

  @Option(
      names = "--server-id",
      paramLabel = "ID",
      description =
          "The replica server id to read the binary log with; unique among the server's replicas"
              + " (default: random).")
  long serverId;

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
          "Write a report of the run: JSON, or with a .html name one page with a timeline of the"
              + " copy.")
  Path report;

  @Option(
      names = "--status-port",
      paramLabel = "PORT",
      description =
          "Serve a live status page and a JSON control API on 127.0.0.1:PORT (0: any free port);"
              + " POST /cut-over cuts over at once despite the postpone flag file.")
  Integer statusPort;

  @Option(
      names = "--dry-run",
      description =
          "Check the alter (on a temporary table) and print the plan: the new table's DDL, the"
              + " column mapping, the refusals; change nothing.")
  boolean dryRun;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    OutputPaths.requireWritable("--report", report);
    AlterJob.Builder builder =
        AlterJob.builder()
            .source(connection.forUrl(source, CliEnvironment.get()))
            .table(TableName.parse(table))
            .alter(alter)
            .workers(workers)
            .chunkRows(chunkSize)
            .chunkTime(chunkTime)
            .maxApplyLag(maxApplyLag)
            .postponeCutOverFlagFile(postponeFlagFile)
            .cutOverLockTimeout(cutOverLockTimeout)
            .dropOldTable(dropOldTable)
            .resume(resume)
            .pauseFile(pauseFile)
            .maxThreadsRunning(maxThreadsRunning)
            .maxRowsPerSecond(maxRowsPerSecond)
            .throttleQuery(throttleQuery)
            .serverId(serverId);
    if (dryRun) {
      printPlan(out, builder.build().plan());
      return 0;
    }
    SignalStop stop = new SignalStop(out, err);
    try (JobReporting reporting = JobReporting.of("alter", table, report, statusPort, true);
        OnlineProgressPrinter printer = new OnlineProgressPrinter(err, progressInterval)) {
      AlterJob job = builder.timeline(reporting.timeline()).controls(reporting.controls()).build();
      reporting.announce(err);
      AlterResult result;
      try {
        result = job.run(stop.cancellation(), listener(printer, err));
      } catch (RuntimeException e) {
        reporting.failed(e);
        throw e;
      }
      reporting.succeeded(result);
      if (report != null && !JobReporting.isHtml(report)) {
        Reports.write(report, result);
      }
      printResult(out, result);
      out.flush();
      stop.exitCode(0);
      return 0;
    } catch (DrayException e) {
      stop.exitCode(e.code().exitCode());
      if (stop.signalled()) {
        err.println("dray: " + Secrets.redact(e.getMessage()));
        err.flush();
      }
      throw e;
    } finally {
      stop.close();
    }
  }

  private static AlterListener listener(OnlineProgressPrinter printer, PrintWriter err) {
    return new AlterListener() {
      @Override
      public void alterPlanned(AlterPlan plan) {
        err.printf(
            "alter: %s -> %s (%s)%n",
            plan.table(),
            plan.newTable(),
            plan.resuming() == null ? "fresh start" : plan.resuming());
        err.flush();
      }

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
        err.println("alter: caught up at " + position + "; cutting over");
        err.flush();
      }

      @Override
      public void postponed(Path flagFile) {
        err.println(
            flagFile != null
                ? "alter: caught up; the cut-over waits while " + flagFile + " exists (delete it)"
                : "alter: caught up; the cut-over is postponed (dray ctl --port P cutover)");
        err.flush();
      }

      @Override
      public void cutOverFailed(int attempt, String reason, Duration retryIn) {
        err.printf(
            "alter: cut-over attempt %d rolled back (%s); the table is unchanged; again in %d ms%n",
            attempt, reason, retryIn.toMillis());
        err.flush();
      }

      @Override
      public void cutOver(Duration blocked, int attempts) {
        err.printf(
            "alter: cut over (attempt %d); writes waited %d ms%n", attempts, blocked.toMillis());
        err.flush();
      }
    };
  }

  private static void printResult(PrintWriter out, AlterResult result) {
    if (result.copy() == null) {
      out.printf(
          "altered %s: the cut-over had completed before the interruption; %s%n",
          result.table(),
          result.oldTable() == null ? "the original is dropped" : "the original is kept");
      return;
    }
    out.printf(
        "altered %s in %.2f s: copied %,d rows in %,d chunks, applied %,d changes (max apply lag"
            + " %.1f s); cut over in %d attempt(s), writes waited %d ms; %s%n",
        result.table(),
        result.seconds(),
        result.copy().copy().rowsCopied(),
        result.copy().copy().chunks(),
        result.copy().changesApplied(),
        result.copy().maxApplyLagSeconds(),
        result.cutOverAttempts(),
        result.writesBlockedMillis(),
        result.oldTable() == null
            ? "the original table is dropped"
            : "the original table is kept as " + result.oldTable());
  }

  private static void printPlan(PrintWriter out, AlterPlan plan) {
    out.printf("plan: alter %s (ALTER TABLE ... %s)%n", plan.table(), plan.spec());
    out.printf("  new table   %s, then renamed to %s%n", plan.newTable(), plan.table());
    out.printf("  old table   kept as %s (unless --drop-old-table)%n", plan.oldTable());
    out.printf("  key         %s%n", String.join(", ", plan.key()));
    out.printf("  rows        ~%,d%n", plan.estimatedRows());
    out.printf("  columns     %s%n", String.join(", ", plan.copied()));
    if (!plan.dropped().isEmpty()) {
      out.printf("  dropped     %s (not copied)%n", String.join(", ", plan.dropped()));
    }
    if (!plan.added().isEmpty()) {
      out.printf("  added       %s (their defaults)%n", String.join(", ", plan.added()));
    }
    for (AlterPlan.NewUniqueKey key : plan.newUniqueKeys()) {
      out.printf(
          "  new unique  %s (%s): a duplicate in the table fails the alter before the cut-over%n",
          key.name(), String.join(", ", key.sourceColumns()));
    }
    out.printf(
        "  checks      binary log ROW/FULL, grants, key, no foreign keys, no triggers, names free:"
            + " passed%n");
    if (plan.resuming() != null) {
      out.printf("  resume      %s%n", plan.resuming());
    }
    out.printf("  new DDL%n%s%n", plan.newTableDdl().indent(4).stripTrailing());
  }
}
