package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code copy --replica URL} with {@code --replica-user} and {@code --replica-password-env/-file},
 * through the CLI. The test server stands in for the replica; it is no replica, so its lag reads as
 * "not replicating" and a real copy would wait forever: the tests use {@code --dry-run}, which
 * reads each replica's lag once with the replica's credentials, and copies that must fail before
 * they start. The lag of a real replica read with an account of its own, holding a copy back and
 * letting it go: {@code ReplicaLagThrottleTest} in dray-core, which has a replicating pair.
 *
 * <p>A copy that does not fail as it should waits for the replica forever: the timeout (on a thread
 * of its own, as a held-back copy ignores interrupts) turns that into a failure.
 */
@Tag("slow")
@ExtendWith(MariaDbExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplicaCredentialsTest {
  private static final String PASSWORD = "Rep-Pass-4471";
  private static final String WRONG_PASSWORD = "Wrong-Rep-Pass-9902";

  /** An account with only REPLICA MONITOR, the privilege SHOW SLAVE STATUS needs. */
  private String monitor;

  /** An account with no privilege at all. */
  private String nobody;

  @BeforeEach
  void createReplicaUsers(TestDatabase db) {
    String suffix = "_" + Math.abs(db.schema().hashCode() % 10000);
    monitor = "dray_rmon" + suffix;
    nobody = "dray_rnone" + suffix;
    db.execute(
        "DROP USER IF EXISTS '" + monitor + "'@'%', '" + nobody + "'@'%'",
        "CREATE USER '" + monitor + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT REPLICA MONITOR ON *.* TO '" + monitor + "'@'%'",
        "CREATE USER '" + nobody + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
        "DROP TABLE IF EXISTS s",
        "CREATE TABLE s (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL)",
        "INSERT INTO s SELECT seq, seq % 100 FROM seq_1_to_500",
        "DROP TABLE IF EXISTS s_copy",
        "CREATE TABLE s_copy LIKE s");
  }

  @AfterEach
  void dropReplicaUsers(TestDatabase db) {
    db.execute("DROP USER IF EXISTS '" + monitor + "'@'%', '" + nobody + "'@'%'");
  }

  /** The test server's URL without user or database: what a replica URL usually looks like. */
  private static String replicaUrl(TestDatabase db) {
    String url = TestDatabase.urlWithoutUser(db.url());
    return url.substring(0, url.lastIndexOf('/') + 1);
  }

  private static CliRun copy(TestDatabase db, Map<String, String> environment, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "copy",
                "--source",
                db.url(),
                "--table",
                db.schema() + ".s",
                "--target-table",
                db.schema() + ".s_copy",
                "--replica",
                replicaUrl(db)));
    args.addAll(List.of(extra));
    return CliRun.withEnvironment(environment, args.toArray(String[]::new));
  }

  @Test
  void theDryRunReadsTheReplicasLagWithItsOwnCredentials(TestDatabase db, @TempDir Path dir)
      throws Exception {
    Path passwordFile = Files.writeString(dir.resolve("replica-pw"), PASSWORD + "\n");
    Map<String, String> environment = Map.of("REP_PW", PASSWORD);

    CliRun fromEnv =
        copy(
            db,
            environment,
            "--dry-run",
            "--replica-user",
            monitor,
            "--replica-password-env",
            "REP_PW");
    assertThat(fromEnv.exitCode()).as(fromEnv.err()).isZero();
    assertThat(fromEnv.out()).startsWith("plan: copy ");
    CliRun fromFile =
        copy(
            db,
            Map.of(),
            "--dry-run",
            "--replica-user",
            monitor,
            "--replica-password-file",
            passwordFile.toString());
    assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();

    // the same password for an account that may not read the replication status: the lag
    // check ran as the --replica-user
    CliRun denied =
        copy(
            db,
            environment,
            "--dry-run",
            "--replica-user",
            nobody,
            "--replica-password-env",
            "REP_PW");
    assertThat(denied.exitCode()).as(denied.err()).isEqualTo(1);
    assertThat(denied.err().strip().lines()).hasSize(1);
    assertThat(denied.err())
        .startsWith(
            "dray: replica: cannot read the replication status of "
                + replicaUrl(db)
                + " as "
                + nobody
                + ": ")
        .contains("SLAVE MONITOR")
        .doesNotContain(PASSWORD);
    for (CliRun run : List.of(fromEnv, fromFile, denied)) {
      assertThat(run.out() + run.err()).doesNotContain(PASSWORD);
    }
  }

  @Test
  void aWrongReplicaPasswordFailsTheCopyBeforeItStarts(TestDatabase db, @TempDir Path dir)
      throws Exception {
    Path wrongFile = Files.writeString(dir.resolve("replica-pw"), WRONG_PASSWORD + "\n");
    CliRun fromEnv =
        copy(
            db,
            Map.of("REP_PW", WRONG_PASSWORD),
            "--replica-user",
            monitor,
            "--replica-password-env",
            "REP_PW");
    CliRun fromFile =
        copy(
            db,
            Map.of(),
            "--replica-user",
            monitor,
            "--replica-password-file",
            wrongFile.toString());
    for (CliRun wrong : List.of(fromEnv, fromFile)) {
      assertThat(wrong.exitCode()).as(wrong.err()).isEqualTo(1);
      assertThat(wrong.err().strip().lines()).as(wrong.err()).hasSize(1);
      assertThat(wrong.err())
          .startsWith(
              "dray: replica: cannot connect to " + replicaUrl(db) + " as " + monitor + ": ")
          .contains("Access denied")
          .doesNotContain(WRONG_PASSWORD)
          .doesNotContain(PASSWORD);
      assertThat(wrong.out()).doesNotContain(WRONG_PASSWORD);
    }
    assertThat(db.queryLong("SELECT COUNT(*) FROM s_copy")).isZero();
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                    + db.schema()
                    + "' AND TABLE_NAME = '_dray_checkpoint'"))
        .as("no checkpoint was written")
        .isZero();
  }
}
