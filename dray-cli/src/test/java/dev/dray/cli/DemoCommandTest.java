package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class DemoCommandTest {
  @Test
  void demoLoadsIntoDuckDbAndPrintsTheSummary(@TempDir Path dir) {
    Path target = dir.resolve("demo.duckdb");
    CliRun run =
        CliRun.of("demo", "--rows", "30000", "--workers", "2", "--target", target.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("rows        30,000")
        .contains("partitions  12")
        .contains("workers     2")
        .contains("rows/s")
        .contains("2026-12")
        .contains("kept the DuckDB file " + target);
    assertThat(Files.exists(target)).isTrue();
  }

  @Test
  void keepKeepsTheDuckDbFileAndSaysWhereItIs() throws Exception {
    CliRun run = CliRun.of("demo", "--rows", "2000", "--workers", "2", "--keep");
    assertThat(run.exitCode()).as(run.err()).isZero();
    java.util.regex.Matcher kept =
        java.util.regex.Pattern.compile("kept the DuckDB file (\\S+) ").matcher(run.out());
    assertThat(kept.find()).as(run.out()).isTrue();
    Path file = Path.of(kept.group(1));
    try {
      assertThat(file).exists();
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
      Files.deleteIfExists(file.getParent());
    }
  }

  @Test
  void existingTargetIsRefused(@TempDir Path dir) throws Exception {
    Path target = Files.createFile(dir.resolve("taken.duckdb"));
    CliRun run = CliRun.of("demo", "--rows", "10", "--target", target.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("exists already");
  }
}
