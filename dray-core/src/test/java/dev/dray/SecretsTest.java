package dev.dray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.ConnectionConfig;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void registeredPasswordsAndUrlPasswordsAreMasked() {
    ConnectionConfig config =
        new ConnectionConfig(
            "jdbc:mariadb://h:3306/db?user=u&password=urlSecret42", "u", "s3cr3t-Pw");
    assertThat(config.toString()).doesNotContain("urlSecret42").doesNotContain("s3cr3t-Pw");
    assertThat(Secrets.redact("failed for s3cr3t-Pw")).isEqualTo("failed for ****");
    assertThat(new DrayException(ErrorCode.INTERNAL, "x urlSecret42 y").getMessage())
        .isEqualTo("x **** y");
    assertThat(Secrets.redact("jdbc:mariadb://user:pw9@host/db")).doesNotContain("pw9");
  }
}
