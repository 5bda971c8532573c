package dev.dray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.ConnectionConfig;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void registeredPasswordsAndUrlPasswordsAreMasked() {
    ConnectionConfig inUrl =
        new ConnectionConfig("jdbc:mariadb://h:3306/db?user=u&password=urlSecret42", "u", null);
    ConnectionConfig given = new ConnectionConfig("jdbc:mariadb://h:3306/db", "u", "s3cr3t-Pw");
    assertThat(inUrl.toString()).doesNotContain("urlSecret42");
    assertThat(given.toString()).doesNotContain("s3cr3t-Pw");
    assertThat(Secrets.redact("failed for s3cr3t-Pw")).isEqualTo("failed for ****");
    assertThat(new DrayException(ErrorCode.INTERNAL, "x urlSecret42 y").getMessage())
        .isEqualTo("x **** y");
    assertThat(Secrets.redact("jdbc:mariadb://user:pw9@host/db")).doesNotContain("pw9");
  }

  @Test
  void aPasswordIsMaskedWhereItIsUsedNotInsideOtherWords() {
    new ConnectionConfig("jdbc:mariadb://h:3306/ux_bad", "u", "bad");
    String message = "cannot connect to jdbc:mariadb://127.0.0.1:3306/ux_bad as ux_etl: denied";
    assertThat(Secrets.redact(message)).isEqualTo(message);
    assertThat(Secrets.redact("jdbc:mariadb://h/ux_bad?user=u&password=bad&ssl=true"))
        .isEqualTo("jdbc:mariadb://h/ux_bad?user=u&password=****&ssl=true");
    assertThat(Secrets.redact("jdbc:mariadb://u:bad@h/ux_bad"))
        .isEqualTo("jdbc:mariadb://u:****@h/ux_bad");
    assertThat(Secrets.redact("the password 'bad' was refused"))
        .isEqualTo("the password '****' was refused");
  }
}
