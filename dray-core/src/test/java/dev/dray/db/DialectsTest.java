package dev.dray.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DialectsTest {
  @Test
  void insertReturningOnMariaDb105AndLaterOnly() {
    assertThat(Dialects.forServer("MariaDB", "10.4.34-MariaDB").supportsInsertReturning())
        .isFalse();
    assertThat(Dialects.forServer("MariaDB", "10.5.0-MariaDB").supportsInsertReturning()).isTrue();
    assertThat(
            Dialects.forServer("MariaDB", "10.11.19-MariaDB-0+deb12u1").supportsInsertReturning())
        .isTrue();
    assertThat(Dialects.forServer("MariaDB", "11.4.5-MariaDB").supportsInsertReturning()).isTrue();
    assertThat(Dialects.forServer("MySQL", "5.5.5-10.6.21-MariaDB").supportsInsertReturning())
        .isTrue();
    assertThat(Dialects.forServer("MySQL", "5.5.5-10.4.1-MariaDB").supportsInsertReturning())
        .isFalse();
    assertThat(Dialects.forServer("MariaDB", "unknown").supportsInsertReturning()).isFalse();
    assertThat(Dialects.forServer("MySQL", "8.4.3").supportsInsertReturning()).isFalse();
  }

  @Test
  void productNameShowsTheMariaDbVersionBehindTheReplicationPrefix() {
    assertThat(Dialects.forServer("MySQL", "5.5.5-10.6.21-MariaDB").productName())
        .isEqualTo("MariaDB 10.6.21");
    assertThat(Dialects.forServer("MariaDB", "10.11.19-MariaDB-0+deb12u1").productName())
        .isEqualTo("MariaDB 10.11.19");
  }
}
