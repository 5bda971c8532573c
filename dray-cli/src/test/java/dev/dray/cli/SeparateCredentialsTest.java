package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** copy and verify with the source as root and the target as another user with a password. */
@ExtendWith(MariaDbExtension.class)
class SeparateCredentialsTest {
  private static final String PASSWORD = "Tgt-Pass-6619";
  private static final String WRONG_PASSWORD = "Wrong-Pass-3307";

  private String user;

  @BeforeEach
  void createTargetUser(TestDatabase db) {
    user = "dray_tgt_" + Math.abs(db.schema().hashCode() % 10000);
    db.execute(
        "DROP USER IF EXISTS '" + user + "'@'%'",
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
        "GRANT ALL ON `" + db.schema() + "`.* TO '" + user + "'@'%'");
  }

  @AfterEach
  void dropTargetUser(TestDatabase db) {
    db.execute("DROP USER IF EXISTS '" + user + "'@'%'");
  }

  /**
   * Runs {@code command} with the source as the test's root URL and the target as {@link #user}.
   */
  private CliRun asTargetUser(TestDatabase db, String password, String command, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "--source",
                db.url(),
                "--table",
                db.schema() + ".s",
                "--target",
                TestDatabase.urlWithoutUser(db.url()),
                "--target-table",
                db.schema() + ".s_copy",
                "--target-user",
                user,
                "--target-password-env",
                "DRAY_TARGET_PW"));
    args.addAll(List.of(extra));
    return CliRun.withEnvironment(Map.of("DRAY_TARGET_PW", password), args.toArray(String[]::new));
  }

  @Test
  void copyAndVerifyWithTheTargetsOwnCredentials(TestDatabase db) {
    db.execute(
        "DROP TABLE IF EXISTS s",
        "CREATE TABLE s (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NULL)",
        "INSERT INTO s SELECT seq, seq % 100, MD5(seq) FROM seq_1_to_1500",
        "DROP TABLE IF EXISTS s_copy",
        "CREATE TABLE s_copy LIKE s");

    CliRun copy = asTargetUser(db, PASSWORD, "copy", "--chunk-size", "400", "--workers", "2");
    assertThat(copy.exitCode()).as(copy.err()).isZero();
    // other credentials on the target: no single INSERT ... SELECT, rows are streamed
    assertThat(copy.out()).contains("copied 1,500 rows").contains("streaming");
    assertThat(copy.out() + copy.err()).doesNotContain(PASSWORD);
    assertThat(db.queryLong("SELECT COUNT(*) FROM s_copy")).isEqualTo(1500);
    // the checkpoint was written by the target user
    assertThat(db.queryLong("SELECT COUNT(*) FROM _dray_checkpoint WHERE finished")).isEqualTo(1);

    CliRun verify = asTargetUser(db, PASSWORD, "verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(verify.out()).contains("EQUAL");

    for (String command : List.of("copy", "verify")) {
      CliRun wrong = asTargetUser(db, WRONG_PASSWORD, command);
      assertThat(wrong.exitCode()).as(command + ": " + wrong.err()).isEqualTo(1);
      assertThat(wrong.err().strip().lines()).as(command).hasSize(1);
      assertThat(wrong.err())
          .as(command)
          .startsWith("dray: target: cannot connect to")
          .contains("as " + user)
          .contains("Access denied")
          .doesNotContain(WRONG_PASSWORD)
          .doesNotContain(PASSWORD);
      assertThat(wrong.out()).doesNotContain(WRONG_PASSWORD);
    }
  }
}
