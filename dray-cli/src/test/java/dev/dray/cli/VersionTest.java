package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code dray --version} names the git commit of the build (when built from a checkout). */
class VersionTest {
  @Test
  void theVersionNamesTheCommitTheBuildWasMadeFrom() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    CliRun version = CliRun.of("--version");
    assertThat(version.exitCode()).isZero();

    if (!Files.exists(root.resolve(".git"))) {
      // a source tarball: no commit to name, and no made-up one
      assertThat(version.out()).doesNotContain("git commit");
      return;
    }
    Process git =
        new ProcessBuilder("git", "rev-parse", "--short=10", "HEAD")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    String head =
        new String(git.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
    assertThat(git.waitFor()).as(head).isZero();
    assertThat(version.out().lines().findFirst())
        .hasValue("dray " + VersionProvider.version() + " (git commit " + head + ")");
  }
}
