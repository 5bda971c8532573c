package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.report.HtmlReport;
import dev.dray.report.JobTimeline;
import dev.dray.report.StatusServer;
import dev.dray.run.RuntimeControls;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A command's {@code --report} and {@code --status-port}: records a timeline when an HTML report or
 * live status is asked for, serves the live page while the job runs, and writes the report at the
 * end (HTML when the file name ends in {@code .html}/{@code .htm}, the JSON result otherwise). A
 * failed job still gets its HTML report: it shows where the job stood when it failed.
 */
final class JobReporting implements AutoCloseable {
  private final Path report;
  private final JobTimeline timeline;
  private final RuntimeControls controls;
  private StatusServer server;

  private JobReporting(Path report, JobTimeline timeline, RuntimeControls controls) {
    this.report = report;
    this.timeline = timeline;
    this.controls = controls;
  }

  /**
   * @param kind "load", "copy", "verify"
   * @param title what the job works on, for the page's heading
   * @param report the report file, or null
   * @param statusPort the live status port (0: any free port), or null for none
   * @param controllable whether the job obeys the control API (throttle, chunk size, rate)
   */
  static JobReporting of(
      String kind, String title, Path report, Integer statusPort, boolean controllable) {
    boolean html = report != null && isHtml(report);
    boolean live = statusPort != null;
    if (live && (statusPort < 0 || statusPort > 65_535)) {
      throw DrayException.usage("--status-port must be between 0 and 65535, not " + statusPort);
    }
    JobTimeline timeline = html || live ? JobTimeline.start(kind, title) : null;
    RuntimeControls controls = live && controllable ? new RuntimeControls() : null;
    JobReporting reporting = new JobReporting(report, timeline, controls);
    if (live) {
      reporting.server = StatusServer.start("127.0.0.1", statusPort, timeline, controls);
    }
    return reporting;
  }

  static boolean isHtml(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".html") || name.endsWith(".htm");
  }

  /** The timeline the job feeds, or null when nothing asked for one. */
  JobTimeline timeline() {
    return timeline;
  }

  /** The controls the status server changes, or null. */
  RuntimeControls controls() {
    return controls;
  }

  /** Tells where the live page is (stderr, so stdout stays the result). */
  void announce(PrintWriter err) {
    if (server != null) {
      err.printf("live status: %s (JSON: %sstatus)%n", server.url(), server.url());
      err.flush();
    }
  }

  /** The job finished: writes the HTML report (the command writes a JSON one). */
  void succeeded(Object result) {
    if (timeline != null) {
      timeline.finish(result, null);
    }
    if (report == null) {
      return;
    }
    if (isHtml(report)) {
      HtmlReport.write(report, timeline.snapshot());
    }
    // a JSON report is written by the command, with the run's metadata (version, times, URLs)
  }

  /** The job failed: an HTML report shows how far it got; a JSON report is not written. */
  void failed(RuntimeException failure) {
    if (timeline != null) {
      timeline.finish(null, failure);
      if (report != null && isHtml(report)) {
        try {
          HtmlReport.write(report, timeline.snapshot());
        } catch (RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
