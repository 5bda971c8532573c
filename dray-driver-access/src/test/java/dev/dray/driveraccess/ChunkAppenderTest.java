package dev.dray.driveraccess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.load.DuckDbFiles;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkAppenderTest {
  private static final List<String> TYPES =
      List.of(
          "BIGINT",
          "VARCHAR",
          "DECIMAL(4,1)",
          "DECIMAL(9,3)",
          "DECIMAL(18,2)",
          "DECIMAL(38,5)",
          "UUID",
          "BOOLEAN",
          "DOUBLE");

  @TempDir Path dir;

  private DuckDBConnection open() throws Exception {
    DuckDBConnection connection =
        DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("c.duckdb"))
            .unwrap(DuckDBConnection.class);
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS t (id BIGINT, s VARCHAR, d1 DECIMAL(4,1), d2 DECIMAL(9,3), d3 DECIMAL(18,2),"
              + " d4 DECIMAL(38,5), u UUID, b BOOLEAN, x DOUBLE)");
    }
    return connection;
  }

  private static void appendRows(ChunkAppender appender, int rows) throws Exception {
    for (int i = 0; i < rows; i++) {
      appender.append((long) i);
      if (i % 7 == 0) {
        appender.appendNull();
        appender.appendNull();
        appender.appendNull();
        appender.appendNull();
        appender.appendNull();
        appender.appendNull();
      } else {
        appender.append(i % 2 == 0 ? shortString(i) : "a longer string than twelve bytes " + i);
        appender.appendUnscaled((i % 2 == 0 ? -1 : 1) * ((i % 999) * 10L + 5)); // ±n.5
        appender.appendUnscaled(i * 1000L);
        appender.appendUnscaled(123456789012345678L);
        appender.append(new BigDecimal("-123456789012345678901234567890.12345"));
        appender.append(new UUID(i, -i));
      }
      appender.append(i % 3 == 0);
      appender.append(i / 2.0);
      appender.endRow();
    }
  }

  /** 2 to 16 bytes: inline strings of every length, and both sides of the 12-byte limit. */
  private static String shortString(int i) {
    return "s" + "x".repeat(i % 12) + i;
  }

  @Test
  void writesEveryValueAcrossChunkBoundaries() throws Exception {
    assertThat(StringArena.create()).as("long strings go through the off-heap arena").isNotNull();
    try (DuckDBConnection connection = open()) {
      try (ChunkAppender appender = new ChunkAppender(connection, "t", TYPES)) {
        appendRows(appender, 5000);
      }
      Path file = dir.resolve("c.duckdb");
      connection.close();
      assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM t")).isEqualTo(5000);
      assertThat(DuckDbFiles.queryLong(file, "SELECT count(*) FROM t WHERE s IS NULL"))
          .isEqualTo(715);
      // every long string of every chunk still reads back as written (they point into memory
      // that is reused for the next chunk once DuckDB has copied them)
      assertThat(
              DuckDbFiles.queryLong(
                  file,
                  "SELECT count(*) FROM t WHERE s = CASE WHEN id % 2 = 0 THEN 's' || repeat('x', id % 12) || id"
                      + " ELSE 'a longer string than twelve bytes ' || id END"))
          .isEqualTo(5000 - 715);
      assertThat(
              DuckDbFiles.query(file, "SELECT s, d1, d2, d3, d4, u, b, x FROM t WHERE id = 4001")
                  .get(0))
          .extracting(String::valueOf)
          .containsExactly(
              "a longer string than twelve bytes 4001",
              "5.5",
              "4001.000",
              "1234567890123456.78",
              "-123456789012345678901234567890.12345",
              new UUID(4001, -4001).toString(),
              "false",
              "2000.5");
      assertThat(DuckDbFiles.query(file, "SELECT s, d1 FROM t WHERE id = 4002").get(0))
          .extracting(String::valueOf)
          .containsExactly("sxxxxxx4002", "-6.5");
      assertThat(DuckDbFiles.query(file, "SELECT b, x FROM t WHERE id = 4004").get(0))
          .extracting(String::valueOf)
          .containsExactly("false", "2002.0");
      assertThat(DuckDbFiles.query(file, "SELECT count(*) FROM t WHERE b").get(0).get(0))
          .isEqualTo(1667L);
    }
  }

  @Test
  void rowsBelongToTheConnectionsTransaction() throws Exception {
    try (DuckDBConnection connection = open()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SELECT 1"); // opens the transaction, as LoadWorker does
      }
      try (ChunkAppender appender = new ChunkAppender(connection, "t", TYPES)) {
        appendRows(appender, 3000);
      }
      connection.rollback();
      try (Statement statement = connection.createStatement();
          var rs = statement.executeQuery("SELECT count(*) FROM t")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
  }
}
