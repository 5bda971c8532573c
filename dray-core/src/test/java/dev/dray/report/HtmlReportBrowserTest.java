package dev.dray.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.copy.CopyJob;
import dev.dray.copy.CopyListener;
import dev.dray.copy.CopyResult;
import dev.dray.copy.VerifyJob;
import dev.dray.copy.VerifyResult;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadResult;
import dev.dray.queue.BenchRun;
import dev.dray.queue.BenchStrategy;
import dev.dray.queue.QueueBenchmark;
import dev.dray.run.Cancellation;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports of real runs, opened in headless Chromium: the page draws without console errors or
 * network requests, and each chart drew its data (one timeline bar per task). Set the system
 * property {@code dray.report.screenshots} to a folder to save a screenshot of each report kind
 * there (docs/img holds the ones the docs show).
 */
@Tag("slow")
@ExtendWith(MariaDbExtension.class)
class HtmlReportBrowserTest {
  @BeforeAll
  static void chromium() {
    HeadlessChromium.assumeInstalled();
  }

  @Test
  void loadOfSkewedPartitions(TestDatabase db, @TempDir Path dir) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS skewed",
        "CREATE TABLE skewed (id INT NOT NULL PRIMARY KEY, v VARCHAR(40) NOT NULL)"
            + " PARTITION BY RANGE (id) (PARTITION p_huge VALUES LESS THAN (120001),"
            + " PARTITION p_big VALUES LESS THAN (150001), PARTITION p_mid VALUES LESS THAN (155001),"
            + " PARTITION p_small VALUES LESS THAN MAXVALUE)",
        "INSERT INTO skewed SELECT seq, MD5(seq) FROM seq_1_to_156000",
        "ANALYZE TABLE skewed");
    JobTimeline timeline = JobTimeline.start("load", db.table("skewed").toString());
    LoadResult result =
        LoadJob.builder()
            .source(db.config())
            .table(db.table("skewed"))
            .target(dir.resolve("skewed.duckdb"))
            .workers(3)
            .chunkRows(40_000)
            .timeline(timeline)
            .build()
            .run();
    timeline.finish(result, null);
    TimelineSnapshot snapshot = timeline.snapshot();
    assertThat(snapshot.tasks()).hasSize(result.tasks());
    assertThat(snapshot.tasks().stream().mapToLong(TimelineSnapshot.TaskEntry::rows).sum())
        .isEqualTo(156_000);

    HeadlessChromium.Page page = open(snapshot, dir, "report-load");
    assertThat(page.attribute("chart-timeline", "data-bars"))
        .isEqualTo(String.valueOf(result.tasks()));
    assertThat(page.attribute("chart-timeline", "data-groups")).isEqualTo("4");
    assertThat(Integer.parseInt(page.attribute("chart-rate", "data-points"))).isGreaterThan(0);
    assertThat(page.dom())
        .containsPattern("<td>[^<]*skewed p_huge</td>")
        .containsPattern("<td>[^<]*skewed p_small</td>");
  }

  @Test
  void copyThrottledByAPauseFile(TestDatabase db, @TempDir Path dir) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS throttled",
        "CREATE TABLE throttled (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(64) NOT NULL)",
        "INSERT INTO throttled SELECT seq, MD5(seq) FROM seq_1_to_20000",
        "DROP TABLE IF EXISTS throttled_copy",
        "CREATE TABLE throttled_copy LIKE throttled");
    Path pauseFile = Files.createFile(dir.resolve("pause"));
    JobTimeline timeline = JobTimeline.start("copy", "throttled -> throttled_copy");
    CopyJob job =
        CopyJob.builder()
            .source(db.config())
            .sourceTable(db.table("throttled"))
            .targetTable(db.table("throttled_copy"))
            .workers(3)
            .chunkRows(500)
            .chunkTime(java.time.Duration.ofMillis(50))
            .pauseFile(pauseFile)
            .maxRowsPerSecond(40_000)
            .timeline(timeline)
            .build();
    CompletableFuture<CopyResult> running =
        CompletableFuture.supplyAsync(() -> job.run(new Cancellation(), CopyListener.NONE));
    // hold the copy back for a while once its workers wait, then let it go
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (timeline.snapshot().throttles().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Thread.sleep(1_000);
    Files.delete(pauseFile);
    CopyResult result = running.get(60, TimeUnit.SECONDS);
    timeline.finish(result, null);
    TimelineSnapshot snapshot = timeline.snapshot();
    assertThat(snapshot.throttles()).isNotEmpty();
    assertThat(snapshot.throttles().get(0).reason()).contains("pause file");
    assertThat(snapshot.tasks()).hasSize((int) result.chunks());
    assertThat(snapshot.tasks().stream().mapToLong(TimelineSnapshot.TaskEntry::rows).sum())
        .isEqualTo(20_000);

    HeadlessChromium.Page page = open(snapshot, dir, "report-copy");
    assertThat(page.attribute("chart-timeline", "data-bars"))
        .isEqualTo(String.valueOf(result.chunks()));
    assertThat(Integer.parseInt(page.attribute("chart-timeline", "data-throttles")))
        .isEqualTo(snapshot.throttles().size());
    assertThat(Integer.parseInt(page.attribute("chart-chunk", "data-points"))).isGreaterThan(1);
    assertThat(page.dom()).containsPattern("<td>pause file [^<]* exists</td>");
    // the bars show work, not the wait: no task started before the pause file went away
    double resumed = snapshot.throttles().get(0).end();
    assertThat(snapshot.tasks())
        .allSatisfy(t -> assertThat(t.start()).isGreaterThanOrEqualTo(resumed - 0.1));
  }

  @Test
  void verify(TestDatabase db, @TempDir Path dir) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS checked",
        "CREATE TABLE checked (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(64) NOT NULL)",
        "INSERT INTO checked SELECT seq, MD5(seq) FROM seq_1_to_5000",
        "DROP TABLE IF EXISTS checked_copy",
        "CREATE TABLE checked_copy AS SELECT * FROM checked",
        "ALTER TABLE checked_copy ADD PRIMARY KEY (id)",
        "UPDATE checked_copy SET b = 'changed' WHERE id = 77");
    JobTimeline timeline = JobTimeline.start("verify", "checked = checked_copy");
    VerifyResult result =
        VerifyJob.builder()
            .source(db.config())
            .sourceTable(db.table("checked"))
            .targetTable(db.table("checked_copy"))
            .workers(2)
            .chunkRows(500)
            .timeline(timeline)
            .build()
            .run();
    timeline.finish(result, null);
    HeadlessChromium.Page page = open(timeline.snapshot(), dir, "report-verify");
    assertThat(page.attribute("chart-timeline", "data-bars"))
        .isEqualTo(String.valueOf(result.chunks()));
    assertThat(result.mismatchingRanges()).hasSize(1);
    assertThat(page.dom()).containsPattern("<td>mismatchingRanges</td><td>1 entries</td>");
  }

  @Test
  void livePageOfARunningCopy(TestDatabase db, @TempDir Path dir) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS live",
        "CREATE TABLE live (id BIGINT NOT NULL PRIMARY KEY, b VARCHAR(64) NOT NULL)",
        "INSERT INTO live SELECT seq, MD5(seq) FROM seq_1_to_60000",
        "DROP TABLE IF EXISTS live_copy",
        "CREATE TABLE live_copy LIKE live");
    JobTimeline timeline = JobTimeline.start("copy", "live -> live_copy");
    dev.dray.run.RuntimeControls controls = new dev.dray.run.RuntimeControls();
    CopyJob job =
        CopyJob.builder()
            .source(db.config())
            .sourceTable(db.table("live"))
            .targetTable(db.table("live_copy"))
            .workers(2)
            .chunkRows(250)
            .maxRowsPerSecond(600) // runs for minutes: the page is looked at while it runs
            .timeline(timeline)
            .controls(controls)
            .build();
    try (StatusServer server = StatusServer.start("127.0.0.1", 0, timeline, controls)) {
      Cancellation cancellation = new Cancellation();
      CompletableFuture<CopyResult> running =
          CompletableFuture.supplyAsync(() -> job.run(cancellation, CopyListener.NONE));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (timeline.snapshot().tasks().size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      controls.chunkRows(300);
      HeadlessChromium.Page page = HeadlessChromium.dumpDom(server.url());
      assertThat(running).as("the copy still runs while the page is looked at").isNotDone();
      String screenshots = System.getProperty("dray.report.screenshots");
      if (screenshots != null) {
        HeadlessChromium.screenshot(server.url(), Path.of(screenshots).resolve("report-live.png"));
      }
      cancellation.cancel(new dev.dray.DrayException(dev.dray.ErrorCode.INTERRUPTED, "test over"));
      try {
        running.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // cancelled on purpose
      }
      assertThat(page.bodyAttribute("data-mode")).isEqualTo("live");
      assertThat(page.bodyAttribute("data-errors"))
          .as(page.bodyAttribute("data-last-error"))
          .isEqualTo("0");
      assertThat(page.bodyAttribute("data-violations")).isEqualTo("0");
      assertThat(page.consoleProblems()).isEmpty();
      // drawn from the page's data, then again from at least one GET /status
      assertThat(Integer.parseInt(page.bodyAttribute("data-rendered"))).isGreaterThan(1);
      assertThat(Integer.parseInt(page.attribute("chart-timeline", "data-bars"))).isGreaterThan(2);
      assertThat(page.dom())
          .contains("id=\"control-panel\">")
          .containsPattern("chunk rows 300 · max rows/s [^·<]+ · workers 2<");
    }
  }

  @Test
  void queueBenchComparingStrategiesStaticAndDynamic(TestDatabase db, @TempDir Path dir)
      throws Exception {
    List<BenchRun> runs = new ArrayList<>();
    for (boolean dynamic : List.of(false, true)) {
      for (BenchStrategy strategy : BenchStrategy.values()) {
        runs.add(
            QueueBenchmark.builder()
                .connection(db.config())
                .queue("report_bench")
                .strategy(strategy)
                .jobs(dynamic ? 0 : 400)
                .producers(dynamic ? 2 : 0)
                .duration(Duration.ofSeconds(1))
                .drain(Duration.ofSeconds(5))
                .consumers(3)
                .batch(50)
                .build()
                .runRecorded());
      }
    }
    for (BenchRun run : runs) {
      assertThat(run.result().processed()).as(run.result().strategy()).isPositive();
      assertThat(run.samples()).hasSizeGreaterThan(1);
      assertThat(run.samples().get(run.samples().size() - 1).processed())
          .isEqualTo(run.result().processed());
      assertThat(run.commitMillis()).hasSize(101);
      assertThat(run.jobsPerCommit()[100]).isLessThanOrEqualTo(50);
    }
    // one job per commit is what the simple strategy does
    assertThat(runs.get(0).jobsPerCommit()).containsOnly(1.0);
    Path html = dir.resolve("report-bench.html");
    BenchReport.write(
        html,
        "simple, chunk, skip-locked",
        System.currentTimeMillis(),
        runs,
        java.util.Map.of("db", db.url(), "consumers", 3));
    HeadlessChromium.Page page = open(html, "report-bench");
    for (String chart :
        List.of("throughput", "backlog", "commit", "wait", "batch").stream()
            .flatMap(c -> java.util.stream.Stream.of(c + "-static", c + "-dynamic"))
            .toList()) {
      assertThat(page.attribute("chart-" + chart, "data-series")).as(chart).isEqualTo("3");
      assertThat(Integer.parseInt(page.attribute("chart-" + chart, "data-points")))
          .as(chart)
          .isGreaterThanOrEqualTo(3);
    }
    // percentiles 0..100 of every run
    assertThat(page.attribute("chart-commit-static", "data-points")).isEqualTo("303");
    assertThat(page.attribute("chart-leftover", "data-points")).isEqualTo("6");
    assertThat(page.attribute("chart-overall", "data-points")).isEqualTo("6");
    assertThat(page.dom())
        .contains("<th>skip-locked dynamic</th>")
        .containsPattern("<td>leftover</td>(<td class=\"num\">\\d+</td>){6}");
  }

  /** Renders, checks the page is self-contained and drew cleanly, returns its DOM. */
  private static HeadlessChromium.Page open(TimelineSnapshot snapshot, Path dir, String name)
      throws Exception {
    Path html = dir.resolve(name + ".html");
    HtmlReport.write(html, snapshot);
    return open(html, name);
  }

  private static HeadlessChromium.Page open(Path html, String name) throws Exception {
    String text = Files.readString(html, StandardCharsets.UTF_8);
    // nothing the page would fetch: no external scripts, styles, images or frames
    assertThat(
            Pattern.compile("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//").matcher(text).find())
        .as("the report references a URL")
        .isFalse();
    assertThat(Pattern.compile("(?i)url\\(\\s*[\"']?https?:").matcher(text).find()).isFalse();
    HeadlessChromium.Page page = HeadlessChromium.dumpDom(html.toUri().toString());
    assertThat(page.bodyAttribute("data-rendered")).as(page.log()).isEqualTo("1");
    assertThat(page.bodyAttribute("data-errors"))
        .as(page.bodyAttribute("data-last-error"))
        .isEqualTo("0");
    assertThat(page.bodyAttribute("data-violations"))
        .as("requests blocked: " + page.bodyAttribute("data-last-violation"))
        .isEqualTo("0");
    assertThat(page.consoleProblems()).isEmpty();
    String screenshots = System.getProperty("dray.report.screenshots");
    if (screenshots != null) {
      Path png = Path.of(screenshots).resolve(name + ".png");
      Files.createDirectories(png.getParent());
      HeadlessChromium.screenshot(html.toUri().toString(), png);
      assertThat(Files.size(png)).isGreaterThan(10_000);
    }
    return page;
  }
}
