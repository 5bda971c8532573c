package dev.dray.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hold table's bulk fill. */
@ExtendWith(MariaDbExtension.class)
class BulkEnqueueHoldTableTest {
  private static String sessionChecks(Connection c) throws SQLException {
    try (Statement statement = c.createStatement();
        var rs = statement.executeQuery("SELECT @@unique_checks, @@foreign_key_checks")) {
      rs.next();
      return rs.getLong(1) + "," + rs.getLong(2);
    }
  }

  @Test
  void holdFillIsABulkInsertThatRestoresTheSessionChecks(TestDatabase db) throws Exception {
    try (Connection c = db.connect();
        Statement statement = c.createStatement()) {
      c.setAutoCommit(false);
      statement.execute(
          "CREATE TABLE empty_a (id INT PRIMARY KEY, v INT NOT NULL, UNIQUE KEY (v))");
      statement.execute("SET SESSION unique_checks = 1, foreign_key_checks = 1");
      assertThat(
              BulkEnqueue.insertIntoEmptyTable(
                  c, "INSERT INTO empty_a SELECT seq, seq FROM seq_1_to_5000"))
          .isEqualTo(5000);
      assertThat(sessionChecks(c)).isEqualTo("1,1");
      assertThat(db.queryLong("SELECT COUNT(*) FROM empty_a")).isEqualTo(5000);

      // a failing insert is rolled back and the previous values (here a mix) come back
      statement.execute(
          "CREATE TABLE empty_b (id INT PRIMARY KEY, v INT NOT NULL, CONSTRAINT small CHECK (v < 4000))");
      statement.execute("SET SESSION unique_checks = 0, foreign_key_checks = 1");
      assertThatThrownBy(
              () ->
                  BulkEnqueue.insertIntoEmptyTable(
                      c, "INSERT INTO empty_b SELECT seq, seq FROM seq_1_to_5000"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("small");
      assertThat(sessionChecks(c)).isEqualTo("0,1");
      assertThat(db.queryLong("SELECT COUNT(*) FROM empty_b")).isZero();
    }
  }
}
