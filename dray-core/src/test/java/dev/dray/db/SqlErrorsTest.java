package dev.dray.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class SqlErrorsTest {
  @Test
  void aUserSignalIsNotALostConnection(TestDatabase db) throws Exception {
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no thanks'"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(SqlErrors.isConnectionLost(e)).isFalse();
                assertThat(SqlErrors.isTransient(e)).isFalse();
                assertThat(SqlErrors.describe(e)).contains("no thanks");
              });
    }
  }

  @Test
  void aKilledConnectionIsLost(TestDatabase db) throws Exception {
    try (Connection victim = db.connect();
        Connection killer = db.connect()) {
      long id;
      try (Statement s = victim.createStatement();
          var rs = s.executeQuery("SELECT CONNECTION_ID()")) {
        rs.next();
        id = rs.getLong(1);
      }
      try (Statement s = killer.createStatement()) {
        s.execute("KILL " + id);
      }
      assertThatThrownBy(
              () -> {
                try (Statement s = victim.createStatement()) {
                  s.executeQuery("SELECT 1");
                }
              })
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(SqlErrors.isConnectionLost(e)).isTrue());
    }
  }
}
