package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.copy.CopySettings;
import dev.dray.copy.KeyDifference;
import dev.dray.copy.RangeDifference;
import dev.dray.copy.VerifyJob;
import dev.dray.copy.VerifyResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray verify}: compares two tables chunk by chunk; exit 3 when they differ. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    header = "Compares two tables chunk by chunk: exit 0 when equal, 3 when they differ.",
    footer = {
      "",
      "Example:",
      "  ./dray verify --source jdbc:mariadb://127.0.0.1:3306/shop --user etl --password-env SHOP_PW \\",
      "        --table shop.orders --target-table shop.orders_copy"
    },
    sortOptions = false,
    description = {
      "Compares a source and a target table in parallel key-range chunks: row count and an order-independent checksum",
      "per chunk, computed on each server; for chunks that differ, lists the differing keys. Exit 0 when equal, 3 when not."
    })
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TablePairOptions tables;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Parallel workers (default: ${DEFAULT-VALUE}).")
  int workers = CopySettings.DEFAULT_WORKERS;

  @Option(
      names = {"--chunk-size", "--chunk-rows"},
      paramLabel = "N",
      description = "Rows per compared chunk (default: ${DEFAULT-VALUE}).")
  long chunkSize = VerifyJob.DEFAULT_CHUNK_ROWS;

  @Option(
      names = "--max-keys",
      paramLabel = "N",
      description = "List at most N differing keys (default: ${DEFAULT-VALUE}).")
  int maxKeys = VerifyJob.DEFAULT_MAX_KEYS;

  @Option(
      names = "--report",
      paramLabel = "FILE.json|FILE.html",
      description = "Write a report: JSON, or with a .html name a page with a timeline of chunks.")
  Path report;

  @Option(
      names = "--json",
      description = "Print the result as one JSON object (the report's content) instead of text.")
  boolean json;

  @Option(
      names = "--print-fix",
      description =
          "Print the SQL that would make the target equal (REPLACE of the source's row, DELETE by"
              + " key of a row only the target holds; values as literals), as a script: the"
              + " findings as -- comments, then the statements. Nothing is executed.")
  boolean printFix;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    OutputPaths.requireWritable("--report", report);
    if (printFix && json) {
      throw DrayException.usage(
          "--print-fix prints an SQL script and --json a JSON object: choose one (--report"
              + " FILE.json writes the JSON next to the script)");
    }
    Map<String, String> environment = CliEnvironment.get();
    long started = System.nanoTime();
    java.time.Instant startedAt = java.time.Instant.now();
    VerifyResult result;
    VerifyJob job;
    try (JobReporting reporting =
            JobReporting.of(
                "verify",
                tables.sourceTable() + " = " + tables.targetTable(),
                report,
                null,
                false);
        CtrlC ctrlC =
            CtrlC.onInterrupt(
                spec.commandLine().getErr(),
                () ->
                    List.of(
                        String.format(
                            "interrupted after %.1f s; verify only reads, nothing was changed."
                                + " Run it again:",
                            (System.nanoTime() - started) / 1e9),
                        "  " + CtrlC.commandLine(spec)))) {
      job =
          VerifyJob.builder()
              .source(tables.sourceConfig(connection, environment))
              .sourceTable(tables.sourceTable())
              .target(tables.targetConfig(connection, environment))
              .targetTable(tables.targetTable())
              .workers(workers)
              .chunkRows(chunkSize)
              .maxKeys(maxKeys)
              .timeline(reporting.timeline())
              .build();
      try {
        result = job.run();
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
      return result.equal() ? 0 : ErrorCode.VERIFY_DIFFERENCES.exitCode();
    }
    PrintWriter findings = out;
    if (printFix) {
      findings = new PrintWriter(new SqlComments(out), true);
    }
    int exit = printFindings(findings, result);
    findings.flush();
    if (printFix) {
      printFix(out, job, result);
    }
    return exit;
  }

  /** The statements that fix the target, each ending in a semicolon; what they leave out. */
  private void printFix(PrintWriter out, VerifyJob job, VerifyResult result) {
    if (result.equal()) {
      out.println("-- nothing to fix");
      return;
    }
    List<String> statements = job.fixStatements(result);
    for (String statement : statements) {
      out.println(statement + ";");
    }
    if (result.keysTruncated()) {
      String more =
          "the script fixes only the "
              + result.differingKeys().size()
              + " differing rows listed: more differ (raise --max-keys, or run it and verify again)";
      out.println("-- " + more);
      spec.commandLine().getErr().println("dray: warning: " + more);
    }
  }

  private static int printFindings(PrintWriter out, VerifyResult result) {
    out.printf(
        "verify %s vs %s: %,d chunks, %,d source rows, %,d target rows, %d columns, %.1f s: %s%n",
        result.sourceTable(),
        result.targetTable(),
        result.chunks(),
        result.sourceRows(),
        result.targetRows(),
        result.columns().size(),
        result.seconds(),
        result.equal()
            ? "EQUAL"
            : "DIFFERENT in " + result.mismatchingRanges().size() + " range(s)");
    if (result.equal()) {
      return 0;
    }
    for (RangeDifference range : result.mismatchingRanges()) {
      out.printf(
          "  range %s: %,d source rows, %,d target rows%n",
          range.range(), range.sourceRows(), range.targetRows());
    }
    for (KeyDifference key : result.differingKeys()) {
      out.printf(
          "  key %s: %s%n",
          key.key(), key.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
    if (result.keysTruncated()) {
      out.printf("  ... more differing keys (raise --max-keys)%n");
    }
    return ErrorCode.VERIFY_DIFFERENCES.exitCode();
  }
}
