package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class AutoIncrementLockTest {
  @Test
  void warnsExactlyWhenTheServerHoldsTheAutoIncLockPerStatement(TestDatabase db) throws Exception {
    db.execute(
        "DROP TABLE IF EXISTS ai_target, plain_target",
        "CREATE TABLE ai_target (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT)",
        "CREATE TABLE plain_target (id BIGINT NOT NULL PRIMARY KEY, a INT)");
    long mode = db.queryLong("SELECT @@innodb_autoinc_lock_mode");
    try (Connection c = db.connect()) {
      Optional<String> aiParallel =
          AutoIncrementLock.serializationWarning(c, db.table("ai_target"), 4);
      if (mode < 2) {
        assertThat(aiParallel)
            .hasValueSatisfying(
                w ->
                    assertThat(w)
                        .contains("ai_target")
                        .contains("AUTO_INCREMENT column (id)")
                        .contains("innodb_autoinc_lock_mode=" + mode)
                        .contains("innodb_autoinc_lock_mode=2"));
      } else {
        assertThat(aiParallel).isEmpty();
      }
      assertThat(AutoIncrementLock.serializationWarning(c, db.table("ai_target"), 1)).isEmpty();
      assertThat(AutoIncrementLock.serializationWarning(c, db.table("plain_target"), 4)).isEmpty();
    }
  }
}
