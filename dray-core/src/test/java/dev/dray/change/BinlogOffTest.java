package dev.dray.change;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.dray.DrayException;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The shared test server runs without a binary log: a change stream is refused up front. */
@ExtendWith(MariaDbExtension.class)
class BinlogOffTest {
  @Test
  void refusesWhenTheBinaryLogIsOff(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      Dialect dialect = Dialects.detect(connection);
      assumeThat(dialect.binlogSettings(connection).logBin())
          .as("server without --log-bin")
          .isFalse();
      assertThatThrownBy(() -> BinlogPreconditions.check(connection, dialect))
          .isInstanceOf(DrayException.class)
          .hasMessageContaining("the binary log is off (log_bin=OFF)");
    }
  }
}
