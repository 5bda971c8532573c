package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.TableName;
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
      assertThat(aiParallel)
          .hasValueSatisfying(
              w ->
                  assertThat(w)
                      .contains("ai_target")
                      .contains("AUTO_INCREMENT column (id)")
                      .contains("innodb_autoinc_lock_mode=" + mode + ":")
                      .contains("--chunk-time 500ms"));
      assertThat(AutoIncrementLock.serializationWarning(c, db.table("ai_target"), 1)).isEmpty();
      assertThat(AutoIncrementLock.serializationWarning(c, db.table("plain_target"), 4)).isEmpty();
    }
  }

  @Test
  void saysWhyForEachLockMode() {
    TableName table = new TableName("shop", "t_copy");
    for (int mode : new int[] {0, 1}) {
      assertThat(AutoIncrementLock.warning(table, "id", mode, 4))
          .contains("innodb_autoinc_lock_mode=" + mode + ": each chunk's INSERT ... SELECT holds")
          .contains("the 4 workers will mostly take turns")
          .contains("--chunk-time 500ms");
    }
    assertThat(AutoIncrementLock.warning(table, "id", 2, 4))
        .contains("innodb_autoinc_lock_mode=2: every row inserted still updates")
        .doesNotContain("AUTO-INC lock until")
        .contains("--chunk-time 500ms");
    assertThat(AutoIncrementLock.warning(table, "id", -1, 4))
        .contains("innodb_autoinc_lock_mode=unknown: each chunk's");
  }
}
