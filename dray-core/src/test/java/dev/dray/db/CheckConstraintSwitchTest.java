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

/** The dialect's switch for the session's CHECK constraints, which bulk enqueue's movers use. */
@ExtendWith(MariaDbExtension.class)
class CheckConstraintSwitchTest {
  @Test
  void switchesThisSessionsChecksOffAndBackOnWithoutTouchingOtherSessions(TestDatabase db)
      throws SQLException {
    db.execute(
        "DROP TABLE IF EXISTS checked_json", "CREATE TABLE checked_json (doc JSON NOT NULL)");
    try (Connection c = db.connect();
        Connection other = db.connect();
        Statement statement = c.createStatement();
        Statement otherStatement = other.createStatement()) {
      Dialect dialect = Dialects.detect(c);
      assertThat(dialect.setCheckConstraintChecks(c, false)).isTrue();
      statement.execute("INSERT INTO checked_json VALUES ('not json')");
      assertThatThrownBy(() -> otherStatement.execute("INSERT INTO checked_json VALUES ('{')"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("CONSTRAINT");

      assertThat(dialect.setCheckConstraintChecks(c, true)).isTrue();
      assertThatThrownBy(() -> statement.execute("INSERT INTO checked_json VALUES ('[1,')"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("CONSTRAINT");
    }
    assertThat(db.queryLong("SELECT COUNT(*) FROM checked_json")).isEqualTo(1);
  }
}
