package dev.dray.alter;

import static org.assertj.core.api.Assumptions.assumeThat;

import dev.dray.db.Dialects;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared test server runs without a binary log: an alter is refused, the table unchanged. */
@ExtendWith(MariaDbExtension.class)
class AlterBinlogOffTest {
  @Test
  void refusesAServerWithoutABinaryLog(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      assumeThat(Dialects.detect(connection).binlogSettings(connection).logBin())
          .as("server without --log-bin")
          .isFalse();
    }
    db.execute(
        "CREATE TABLE unlogged (id INT NOT NULL PRIMARY KEY)", "INSERT INTO unlogged VALUES (1)");
    AlterRefusalTest.refused(db, db.config(), "unlogged", "ADD COLUMN c INT NULL", "log_bin=OFF");
  }
}
