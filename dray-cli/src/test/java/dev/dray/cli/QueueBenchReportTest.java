package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dray queue bench} with several strategies and both modes, and its HTML report; {@code dray
 * queue work --report x.html}.
 */
@ExtendWith(MariaDbExtension.class)
class QueueBenchReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void strategiesInBothModesPrintAnArrayAndDrawOnePage(TestDatabase db, @TempDir Path dir)
      throws Exception {
    Path html = dir.resolve("bench.html");
    CliRun bench =
        CliRun.of(
            "queue",
            "bench",
            "--db",
            db.url(),
            "--queue",
            "cli_bench",
            "--strategy",
            "chunk,skip-locked",
            "--mode",
            "both",
            "--jobs",
            "300",
            "--producers",
            "1",
            "--seconds",
            "1",
            "--drain",
            "5s",
            "--consumers",
            "2",
            "--report",
            html.toString());
    assertThat(bench.exitCode()).as(bench.err()).isZero();
    JsonNode printed = JSON.readTree(bench.out());
    assertThat(printed.isArray()).isTrue();
    List<String> runs = new ArrayList<>();
    printed.forEach(r -> runs.add(r.get("strategy").asText() + " " + r.get("mode").asText()));
    assertThat(runs)
        .containsExactly(
            "chunk static", "skip-locked static", "chunk dynamic", "skip-locked dynamic");
    // static runs preload --jobs and have no producers; dynamic ones the reverse
    assertThat(printed.get(0).get("enqueued").asLong()).isEqualTo(300);
    assertThat(printed.get(0).get("producers").asInt()).isZero();
    assertThat(printed.get(2).get("producers").asInt()).isEqualTo(1);
    assertThat(printed.get(2).get("enqueued").asLong()).isPositive();

    String page = Files.readString(html, StandardCharsets.UTF_8);
    Matcher data = Pattern.compile("window\\.DRAY_DATA = (\\{.*?\\});</script>").matcher(page);
    assertThat(data.find()).isTrue();
    JsonNode report = JSON.readTree(data.group(1));
    assertThat(report.get("runs").size()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      JsonNode run = report.get("runs").get(i);
      assertThat(run.get("result")).isEqualTo(printed.get(i));
      JsonNode samples = run.get("samples");
      assertThat(samples.get(samples.size() - 1).get(1).asLong())
          .isEqualTo(printed.get(i).get("processed").asLong());
      assertThat(run.get("commitMs").size()).isEqualTo(101);
      // the first sample is taken before any producer starts: what was preloaded
      assertThat(samples.get(0).get(2).asLong()).isEqualTo(i < 2 ? 300 : 0);
    }
    assertThat(report.get("settings").get("db").asText()).isEqualTo(db.url());
  }

  @Test
  void contradictoryModesAndStrategiesAreRefusedBeforeAnyTableIsMade(TestDatabase db) {
    db.execute("DROP TABLE IF EXISTS never_made");
    List<CliRun> refused =
        List.of(
            bench(db, "--mode", "both", "--jobs", "100"),
            bench(db, "--mode", "dynamic", "--jobs", "100"),
            bench(db, "--mode", "static", "--producers", "2"),
            bench(db, "--mode", "sideways", "--jobs", "100"),
            bench(db, "--strategy", "chunk,fastest", "--jobs", "100"));
    assertThat(refused).allSatisfy(r -> assertThat(r.exitCode()).as(r.err()).isEqualTo(2));
    assertThat(refused.get(0).err()).contains("runs dynamic: give --producers P");
    assertThat(refused.get(1).err()).contains("runs dynamic: give --producers P");
    assertThat(refused.get(2).err()).contains("runs static: give --jobs N");
    assertThat(refused.get(3).err()).contains("unknown --mode sideways");
    assertThat(refused.get(4).err()).contains("unknown --strategy fastest");
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
                    + " AND table_name = 'never_made'"))
        .isZero();
  }

  @Test
  void queueWorkDrawsEveryClaimedBatchOnItsWorkersLane(TestDatabase db, @TempDir Path dir)
      throws Exception {
    db.execute("DROP TABLE IF EXISTS work_report");
    assertThat(CliRun.of("queue", "init", "--db", db.url(), "--queue", "work_report").exitCode())
        .isZero();
    Path jobs = dir.resolve("jobs.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 700; i++) {
      lines.append("{\"n\":").append(i).append("}\n");
    }
    Files.writeString(jobs, lines);
    CliRun enqueue =
        CliRun.of(
            "queue",
            "enqueue",
            "--db",
            db.url(),
            "--queue",
            "work_report",
            "--file",
            jobs.toString());
    assertThat(enqueue.exitCode()).as(enqueue.err()).isZero();
    Path html = dir.resolve("work.html");
    CliRun work = work(db, "--workers", "3", "--batch", "50", "--report", html.toString());
    assertThat(work.exitCode()).as(work.err()).isZero();
    assertThat(work.out()).contains("processed 700 jobs");
    JsonNode report = ReportOptionsTest.data(html);
    assertThat(report.get("kind").asText()).isEqualTo("queue work");
    long rows = 0;
    for (JsonNode task : report.get("tasks")) {
      rows += task.get("rows").asLong();
      assertThat(task.get("rows").asLong()).isBetween(0L, 50L);
      assertThat(task.get("worker").asInt()).isBetween(0, 2);
      assertThat(task.get("group").asText()).isEqualTo("work_report");
    }
    assertThat(rows).isEqualTo(700);
    assertThat(report.get("summary").get("processed").asLong()).isEqualTo(700);
    JsonNode samples = report.get("samples");
    assertThat(samples.get(samples.size() - 1).get("rows").asLong()).isEqualTo(700);
    assertThat(report.get("settings").get("handler").asText()).isEqualTo("noop");

    Path json = dir.resolve("work.json");
    assertThat(work(db, "--report", json.toString()).exitCode()).isZero();
    assertThat(JSON.readTree(json.toFile()).get("processed").asLong()).isZero();
  }

  /** {@code queue work --handler noop --until-empty} on the queue work_report. */
  private static CliRun work(TestDatabase db, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "queue",
                "work",
                "--db",
                db.url(),
                "--queue",
                "work_report",
                "--handler",
                "noop",
                "--until-empty"));
    args.addAll(List.of(options));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static CliRun bench(TestDatabase db, String... options) {
    List<String> args =
        new ArrayList<>(List.of("queue", "bench", "--db", db.url(), "--queue", "never_made"));
    args.addAll(List.of(options));
    return CliRun.of(args.toArray(String[]::new));
  }
}
