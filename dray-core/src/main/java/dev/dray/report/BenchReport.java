package dev.dray.report;

import dev.dray.Secrets;
import dev.dray.queue.BenchRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTML report of {@code dray queue bench}: the strategies compared on one page, static and
 * dynamic runs side by side, as the queue study does (jobs per second over time, jobs waiting over
 * time, per-commit latency, enqueue-to-claim and jobs-per-commit distributions, leftovers, and
 * every figure of every run). Self-contained like {@link HtmlReport}'s job reports.
 */
public final class BenchReport {
  private BenchReport() {}

  /**
   * Writes the page.
   *
   * @param title what was compared, for the heading
   * @param startedAtEpochMillis when the first run started
   * @param settings the settings used (passwords are masked)
   */
  public static void write(
      Path file, String title, long startedAtEpochMillis, List<BenchRun> runs, Object settings) {
    HtmlReport.write(file, "bench", data(title, startedAtEpochMillis, runs, settings));
  }

  static Map<String, Object> data(
      String title, long startedAtEpochMillis, List<BenchRun> runs, Object settings) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("kind", "queue bench");
    data.put("title", Secrets.redact(title));
    data.put("startedAtEpochMillis", startedAtEpochMillis);
    data.put("settings", MaskedSettings.of(settings));
    List<Map<String, Object>> runData = new ArrayList<>();
    for (BenchRun run : runs) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("strategy", run.result().strategy());
      one.put("mode", run.result().mode());
      one.put("result", run.result().toMap());
      // [t, processed, enqueued]: a third of the size of objects with names
      one.put(
          "samples",
          run.samples().stream()
              .map(s -> new Object[] {s.t(), s.processed(), s.enqueued()})
              .toList());
      one.put("commitMs", run.commitMillis());
      one.put("enqueueToClaimMs", run.enqueueToClaimMillis());
      one.put("jobsPerCommit", run.jobsPerCommit());
      runData.add(one);
    }
    data.put("runs", runData);
    return data;
  }
}
