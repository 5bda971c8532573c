package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How copy and verify resolve the credentials of source, target and replicas (no database). */
class CredentialOptionsTest {
  private static final String SOURCE_PW = "Src-Secret-1123";
  private static final String TARGET_PW = "Tgt-Secret-5813";
  private static final String REPLICA_PW = "Rep-Secret-2134";
  private static final Map<String, String> ENV =
      Map.of("SRC_PW", SOURCE_PW, "TGT_PW", TARGET_PW, "REP_PW", REPLICA_PW);
  private static final String SOURCE = "jdbc:mariadb://src-host:3306/shop";
  private static final String TARGET = "jdbc:mariadb://tgt-host:3306/shop";
  private static final String REPLICA = "jdbc:mariadb://rep-host:3306/shop";

  private static CopyCommand copy(String... extra) {
    return parse(new CopyCommand(), extra);
  }

  private static VerifyCommand verify(String... extra) {
    return parse(new VerifyCommand(), extra);
  }

  /** Parses the table pair's required options plus {@code extra} into {@code command}. */
  private static <T> T parse(T command, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--source",
                SOURCE,
                "--table",
                "shop.orders",
                "--target-table",
                "shop.orders_copy"));
    args.addAll(List.of(extra));
    new CommandLine(command).parseArgs(args.toArray(String[]::new));
    return command;
  }

  private static ConnectionConfig target(CopyCommand command) {
    return command.tables.targetConfig(command.connection, ENV);
  }

  private static DrayException usageError(Runnable action) {
    DrayException e = catchThrowableOfType(action::run, DrayException.class);
    assertThat(e).as("a usage error").isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.USAGE);
    assertThat(e.exitCode()).isEqualTo(2);
    assertThat(e.getMessage())
        .doesNotContain(SOURCE_PW)
        .doesNotContain(TARGET_PW)
        .doesNotContain(REPLICA_PW);
    return e;
  }

  @Test
  void withoutTargetOrReplicaOptionsEverythingUsesTheSourceCredentials() {
    CopyCommand command =
        copy("--user", "etl", "--password-env", "SRC_PW", "--target", TARGET, "--replica", REPLICA);
    ConnectionConfig source = command.tables.sourceConfig(command.connection, ENV);
    assertThat(source).isEqualTo(new ConnectionConfig(SOURCE, "etl", SOURCE_PW));
    assertThat(target(command)).isEqualTo(new ConnectionConfig(TARGET, "etl", SOURCE_PW));
    assertThat(command.replicaConfigs(ENV))
        .containsExactly(new ConnectionConfig(REPLICA, "etl", SOURCE_PW));
  }

  @Test
  void withoutTargetUrlTheTargetIsTheSourceServer() {
    CopyCommand command = copy("--user", "etl");
    assertThat(target(command)).isNull();
    assertThat(command.replicaConfigs(ENV)).isEmpty();
  }

  @Test
  void sourceDefaultsStillApply() {
    CopyCommand command = copy("--target", TARGET + "?user=app");
    assertThat(command.tables.sourceConfig(command.connection, ENV))
        .isEqualTo(new ConnectionConfig(SOURCE, "root", null));
    assertThat(target(command)).isEqualTo(new ConnectionConfig(TARGET + "?user=app", null, null));
  }

  @Test
  void targetCredentialsFromTheEnvironmentReplaceTheSourceOnes() {
    CopyCommand command =
        copy(
            "--user",
            "etl",
            "--password-env",
            "SRC_PW",
            "--target",
            TARGET,
            "--target-user",
            "writer",
            "--target-password-env",
            "TGT_PW");
    assertThat(command.tables.sourceConfig(command.connection, ENV))
        .isEqualTo(new ConnectionConfig(SOURCE, "etl", SOURCE_PW));
    assertThat(target(command)).isEqualTo(new ConnectionConfig(TARGET, "writer", TARGET_PW));
  }

  @Test
  void targetPasswordFromAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("target.pw");
    Files.writeString(file, TARGET_PW + "\n");
    CopyCommand command =
        copy(
            "--target",
            TARGET,
            "--target-user",
            "writer",
            "--target-password-file",
            file.toString());
    assertThat(target(command)).isEqualTo(new ConnectionConfig(TARGET, "writer", TARGET_PW));
  }

  @Test
  void anyTargetOptionReplacesAllSourceCredentials() {
    // only a password: the user defaults as for the source (URL, else root), not to --user
    CopyCommand command =
        copy(
            "--user",
            "etl",
            "--password-env",
            "SRC_PW",
            "--target",
            TARGET,
            "--target-password-env",
            "TGT_PW");
    assertThat(target(command)).isEqualTo(new ConnectionConfig(TARGET, "root", TARGET_PW));

    // only a user: no password (the source's is not sent to the target)
    CopyCommand userOnly =
        copy("--password-env", "SRC_PW", "--target", TARGET, "--target-user", "writer");
    assertThat(target(userOnly)).isEqualTo(new ConnectionConfig(TARGET, "writer", null));
  }

  @Test
  void replicaCredentialsApplyToEveryReplica(@TempDir Path dir) throws Exception {
    CopyCommand command =
        copy(
            "--password-env",
            "SRC_PW",
            "--replica",
            REPLICA,
            "--replica",
            REPLICA + "?user=watcher",
            "--replica-password-env",
            "REP_PW");
    assertThat(command.replicaConfigs(ENV))
        .containsExactly(
            new ConnectionConfig(REPLICA, "root", REPLICA_PW),
            new ConnectionConfig(REPLICA + "?user=watcher", null, REPLICA_PW));
    assertThat(target(command)).isNull();

    Path file = dir.resolve("replica.pw");
    Files.writeString(file, REPLICA_PW + "\r\nsecond line\n");
    CopyCommand fromFile =
        copy(
            "--replica",
            REPLICA,
            "--replica-user",
            "monitor",
            "--replica-password-file",
            file.toString());
    assertThat(fromFile.replicaConfigs(ENV))
        .containsExactly(new ConnectionConfig(REPLICA, "monitor", REPLICA_PW));
  }

  @Test
  void verifyTakesTargetCredentialsToo() {
    VerifyCommand command =
        verify("--target", TARGET, "--target-user", "reader", "--target-password-env", "TGT_PW");
    assertThat(command.tables.targetConfig(command.connection, ENV))
        .isEqualTo(new ConnectionConfig(TARGET, "reader", TARGET_PW));
    DrayException e =
        usageError(() -> verify("--target-user", "reader").tables.targetConfig(null, ENV));
    assertThat(e.getMessage()).contains("need --target URL");
  }

  @Test
  void targetPasswordFromBothEnvAndFileIsAUsageError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, TARGET_PW);
    CopyCommand command =
        copy(
            "--target",
            TARGET,
            "--target-password-env",
            "TGT_PW",
            "--target-password-file",
            file.toString());
    assertThat(usageError(() -> target(command)).getMessage())
        .isEqualTo("give either --target-password-env or --target-password-file, not both");

    CopyCommand replica =
        copy(
            "--replica",
            REPLICA,
            "--replica-password-env",
            "REP_PW",
            "--replica-password-file",
            file.toString());
    assertThat(usageError(() -> replica.replicaConfigs(ENV)).getMessage())
        .isEqualTo("give either --replica-password-env or --replica-password-file, not both");
  }

  @Test
  void targetCredentialsWithoutTargetAreAUsageError() {
    for (String[] options :
        List.of(
            new String[] {"--target-user", "writer"},
            new String[] {"--target-password-env", "TGT_PW"},
            new String[] {"--target-password-file", "/no/such/file"})) {
      CopyCommand command = copy(options);
      assertThat(usageError(() -> target(command)).getMessage())
          .startsWith(
              "--target-user, --target-password-env and --target-password-file need --target URL")
          .contains("the target is the source server");
    }
  }

  @Test
  void replicaCredentialsWithoutReplicaAreAUsageError() {
    CopyCommand command = copy("--replica-user", "monitor", "--replica-password-env", "REP_PW");
    assertThat(usageError(() -> command.replicaConfigs(ENV)).getMessage())
        .isEqualTo(
            "--replica-user, --replica-password-env and --replica-password-file need at least one"
                + " --replica URL");
  }

  @Test
  void missingTargetVariableIsAUsageErrorNamingTheVariable() {
    CopyCommand command = copy("--target", TARGET, "--target-password-env", "NOT_SET_ANYWHERE");
    assertThat(usageError(() -> target(command)).getMessage()).contains("NOT_SET_ANYWHERE");
  }

  @Test
  void passwordsNeverShowInToStringOrMessages(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, REPLICA_PW);
    CopyCommand command =
        copy(
            "--password-env",
            "SRC_PW",
            "--target",
            TARGET,
            "--target-password-env",
            "TGT_PW",
            "--replica",
            REPLICA,
            "--replica-password-file",
            file.toString());
    List<Object> shown = new ArrayList<>();
    shown.add(command.tables.sourceConfig(command.connection, ENV));
    shown.add(target(command));
    shown.addAll(command.replicaConfigs(ENV));
    shown.add(command.connection.credentials());
    shown.add(new Credentials("--target-", "writer", "TGT_PW", file));
    for (Object value : shown) {
      assertThat(value.toString())
          .doesNotContain(SOURCE_PW)
          .doesNotContain(TARGET_PW)
          .doesNotContain(REPLICA_PW);
    }
    // a URL that carries the target's password is masked in messages too
    DrayException bad =
        usageError(
            () ->
                new Credentials("--target-", null, null, null)
                    .forUrl("mariadb://h/x?password=" + TARGET_PW, ENV));
    assertThat(bad.getMessage()).contains("not a JDBC URL");
  }

  @Test
  void usageErrorsExitWithTwoAndOneLine() {
    CliRun copyRun =
        CliRun.withEnvironment(
            ENV,
            "copy",
            "--source",
            "jdbc:mariadb://127.0.0.1:1/x",
            "--table",
            "x.t",
            "--target-table",
            "x.t2",
            "--target-user",
            "writer",
            "--target-password-env",
            "TGT_PW");
    assertThat(copyRun.exitCode()).isEqualTo(2);
    assertThat(copyRun.err().strip())
        .startsWith("dray: --target-user, --target-password-env and --target-password-file need")
        .doesNotContain("\n")
        .doesNotContain(TARGET_PW);

    CliRun replicaRun =
        CliRun.withEnvironment(
            ENV,
            "copy",
            "--source",
            "jdbc:mariadb://127.0.0.1:1/x",
            "--table",
            "x.t",
            "--target-table",
            "x.t2",
            "--replica-password-env",
            "REP_PW");
    assertThat(replicaRun.exitCode()).isEqualTo(2);
    assertThat(replicaRun.err()).contains("need at least one --replica URL");

    CliRun verifyRun =
        CliRun.withEnvironment(
            ENV,
            "verify",
            "--source",
            "jdbc:mariadb://127.0.0.1:1/x",
            "--table",
            "x.t",
            "--target-table",
            "x.t2",
            "--target-password-env",
            "TGT_PW");
    assertThat(verifyRun.exitCode()).isEqualTo(2);
    assertThat(verifyRun.err()).contains("need --target URL");
  }

  @Test
  void helpListsTheNewOptions() {
    assertThat(CliRun.of("copy", "--help").out())
        .contains("--target-user")
        .contains("--target-password-env")
        .contains("--target-password-file")
        .contains("--replica-user")
        .contains("--replica-password-env")
        .contains("--replica-password-file");
    assertThat(CliRun.of("verify", "--help").out())
        .contains("--target-user")
        .contains("--target-password-file")
        .doesNotContain("--replica-user");
  }
}
