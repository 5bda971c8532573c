package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dray.load.follow.FollowFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code dray load --follow} process: SIGTERM stops it in order (exit 0, summary, report),
 * and after a kill -9 {@code --resume} continues without reloading.
 */
@Tag("slow")
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class FollowCommandTest {
  private static FollowFixture fixture;

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    fixture = FollowFixture.start("follow_cli");
  }

  @AfterAll
  static void stopServer() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private record Child(Process process, BlockingQueue<String> lines) {
    String await(String prefix, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && line.contains(prefix)) {
          return line;
        }
      }
      throw new IllegalStateException("no line with " + prefix + " within " + seconds + " s");
    }
  }

  private Child dray(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DrayCli.class.getName());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Path log = dir.resolve(name + ".log");
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                  Files.writeString(
                      log,
                      line + "\n",
                      java.nio.file.StandardOpenOption.CREATE,
                      java.nio.file.StandardOpenOption.APPEND);
                }
              } catch (java.io.IOException e) {
                // the process died
              }
            });
    reader.setDaemon(true);
    reader.start();
    return new Child(process, lines);
  }

  @Test
  void sigtermStopsInOrderAndResumeAfterKillContinues() throws Exception {
    fixture.execute(
        "CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, qty INT NOT NULL)",
        "INSERT INTO orders VALUES (1, 1), (2, 2)");
    Path target = dir.resolve("cli.duckdb");
    Path report = dir.resolve("follow.json");
    String[] args = {
      "load",
      "--source",
      fixture.url(),
      "--user",
      "root",
      "--table",
      fixture.schema + ".orders",
      "--target",
      "duckdb:" + target,
      "--follow",
      "--apply-interval",
      "100ms",
      "--report",
      report.toString()
    };
    Child first = dray("first", args);
    first.await("following changes from", 120);
    fixture.execute("UPDATE orders SET qty = 10 WHERE id = 1", "INSERT INTO orders VALUES (3, 3)");
    first.await("following:", 60); // a batch went in
    new ProcessBuilder("kill", "-TERM", Long.toString(first.process().pid())).start().waitFor();
    assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(first.process().exitValue()).isZero();
    first.await("stopped by signal", 5);
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.at("/follow/changesApplied").asLong()).isEqualTo(2);
    assertThat(json.at("/follow/freshnessMax").asDouble()).isPositive();
    assertThat(json.at("/snapshotPosition/file").asText()).isNotBlank();

    fixture.execute("DELETE FROM orders WHERE id = 2");
    List<String> resumeArgs = new ArrayList<>(List.of(args));
    resumeArgs.add("--resume");
    Child second = dray("second", resumeArgs.toArray(String[]::new));
    second.await("following changes from", 120);
    second.await("following:", 60);
    second.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);

    fixture.execute("UPDATE orders SET qty = 30 WHERE id = 3");
    resumeArgs.addAll(List.of("--follow-for", "3s"));
    Child third = dray("third", resumeArgs.toArray(String[]::new));
    assertThat(third.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(third.process().exitValue()).isZero();
    third.await("stopped by follow-for", 5);

    assertThat(FollowFixture.rows(target, "orders", "id"))
        .containsExactly("id=1, qty=10", "id=3, qty=30");
  }
}
