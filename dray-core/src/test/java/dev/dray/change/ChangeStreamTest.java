package dev.dray.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.BinlogPosition;
import dev.dray.db.Connections;
import dev.dray.db.Dialects;
import dev.dray.db.TableName;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The change stream on a server with a binary log: every type family {@code load} covers decodes to
 * the value the server itself returns for the row (unsigned extremes, DECIMAL(65,30), BIT, ENUM/SET
 * labels, JSON, TIME/DATETIME/TIMESTAMP with fractions and zero dates, YEAR, BLOB, GEOMETRY,
 * latin1/utf8mb4/binary strings), with transaction boundaries and positions.
 */
@org.junit.jupiter.api.Tag("slow")
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
public class ChangeStreamTest {
  public static final String TYPES_TABLE =
      "CREATE TABLE %s (id INT NOT NULL PRIMARY KEY, u_tiny TINYINT UNSIGNED NULL,"
          + " u_small SMALLINT UNSIGNED NULL, u_med MEDIUMINT UNSIGNED NULL, med MEDIUMINT NULL,"
          + " u_int INT UNSIGNED NULL, u_big BIGINT UNSIGNED NULL, s_big BIGINT NULL,"
          + " dec65 DECIMAL(65,30) NULL, bits BIT(10) NULL, b64 BIT(64) NULL,"
          + " e ENUM('a','B','c''d') NULL, s SET('x','Y','z') NULL, j JSON NULL,"
          + " t TIME(6) NULL, t0 TIME NULL, t2 TIME(2) NULL, dt DATETIME(3) NULL,"
          + " dt6 DATETIME(6) NULL, ts TIMESTAMP(6) NULL, d DATE NULL, y YEAR NULL,"
          + " blb BLOB NULL, vb VARBINARY(16) NULL, bn BINARY(4) NULL,"
          + " l1 VARCHAR(20) CHARACTER SET latin1 NULL, u8 VARCHAR(20) CHARACTER SET utf8mb4 NULL,"
          + " c CHAR(5) NULL, txt TEXT NULL, g GEOMETRY NULL, f FLOAT NULL, dbl DOUBLE NULL)";

  public static final String[] TYPES_ROWS = {
    "INSERT INTO %s VALUES (1, 255, 65535, 16777215, -8388608, 4294967295,"
        + " 18446744073709551615, -9223372036854775808,"
        + " -12345678901234567890123456789012345.123456789012345678901234567890,"
        + " b'1010101010', b'1000000000000000000000000000000000000000000000000000000000000000',"
        + " 'c''d', 'x,z', '{\"a\": [1, 2.5, \"\u00fc\"]}', '-12:34:56.789012', '838:59:59',"
        + " '-00:00:01.5', '2026-02-03 04:05:06.789', '9999-12-31 23:59:59.999999',"
        + " '2038-01-19 03:14:07.999999', '2024-02-29', 2155, x'00FF10', x'00',"
        + " x'01020304', 'Gr\u00fc\u00dfe', '\ud83d\ude00 \u00fc', 'ab', REPEAT('t', 300),"
        + " ST_GeomFromText('POINT(1 2)'), 1.5, 1e308)",
    "INSERT INTO %s (id, dt, dt6, d, y, ts, e, s, t) VALUES (2, '0000-00-00 00:00:00',"
        + " '0000-00-00 00:00:00.000000', '0000-00-00', 0, '1970-01-01 00:00:01', 'a', '', '00:00:00')",
    "INSERT INTO %s (id) VALUES (3)"
  };

  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = BinlogServer.newDatabase("change");
  }

  private static BinlogPosition position() throws SQLException {
    try (Connection connection = Connections.open(db.config())) {
      return BinlogPreconditions.currentPosition(connection, Dialects.detect(connection));
    }
  }

  private static List<ChangeTransaction> read(ChangeStream stream, int changes) {
    List<ChangeTransaction> read = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (read.stream().mapToInt(t -> t.changes().size()).sum() < changes) {
      assertThat(System.nanoTime()).as("changes arrive").isLessThan(deadline);
      read.addAll(stream.poll(100, Duration.ofMillis(100)));
    }
    return read;
  }

  @Test
  void decodesEveryTypeFamilyToTheServersOwnValues() throws Exception {
    db.execute(String.format(TYPES_TABLE, "types"));
    BinlogPosition start = position();
    for (String row : TYPES_ROWS) {
      db.execute(String.format(row, "types"));
    }
    db.execute(
        "UPDATE types SET u_big = 0, l1 = 'caf\u00e9', t = '838:59:59.000000' WHERE id = 1",
        "DELETE FROM types WHERE id = 3");
    try (ChangeStream stream =
        ChangeStream.builder()
            .source(db.config())
            .table(db.table("types"))
            .start(start)
            .build()
            .open()) {
      List<ChangeTransaction> transactions = read(stream, 5);
      List<RowChange> changes = transactions.stream().flatMap(t -> t.changes().stream()).toList();
      assertThat(changes)
          .extracting(RowChange::kind)
          .containsExactly(
              ChangeKind.INSERT,
              ChangeKind.INSERT,
              ChangeKind.INSERT,
              ChangeKind.UPDATE,
              ChangeKind.DELETE);
      for (ChangeTransaction transaction : transactions) {
        assertThat(transaction.end()).isGreaterThan(transaction.start());
      }
      FollowedTable table = stream.tables().get(db.table("types"));
      // the images of rows 1 and 2 as inserted, compared with the server's rendering of them
      // (the update changed row 1 afterwards: compare its before image with the insert's image)
      assertThat(
              java.util.Arrays.deepEquals(
                  changes.get(3).before().toArray(), changes.get(0).after().toArray()))
          .as("the update's before image is the inserted row")
          .isTrue();
      db.execute(
          "UPDATE types SET u_big = 18446744073709551615, l1 = 'Gr\u00fc\u00dfe', t = '-12:34:56.789012' WHERE id = 1");
      assertSameAsServer(table, 1, changes.get(0).after());
      assertSameAsServer(table, 2, changes.get(1).after());
      assertThat(changes.get(2).after().subList(1, table.columns().size())).containsOnlyNulls();
      assertThat(changes.get(3).after().get(6)).isEqualTo(0L);
      assertThat(changes.get(3).after().get(25)).isEqualTo("caf\u00e9");
      assertThat(changes.get(3).after().get(14)).isEqualTo("838:59:59.000000");
    }
  }

  /** Every decoded value equals what the server returns for the column in a UTC session. */
  private static void assertSameAsServer(FollowedTable table, int id, List<Object> image)
      throws SQLException {
    List<String> select = new ArrayList<>();
    for (var column : table.columns()) {
      select.add(
          column.dataType().equals("bit")
              ? "CAST(" + column.name() + " AS UNSIGNED)"
              : column.name());
    }
    try (Connection connection = Connections.open(db.config());
        Statement statement = connection.createStatement()) {
      statement.execute("SET time_zone = '+00:00'");
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT " + String.join(", ", select) + " FROM types WHERE id = " + id)) {
        assertThat(rs.next()).isTrue();
        for (int i = 0; i < image.size(); i++) {
          String name = table.columns().get(i).name();
          Object decoded = image.get(i);
          if (decoded == null) {
            assertThat(rs.getObject(i + 1)).as(name).isNull();
          } else if (decoded instanceof byte[] bytes) {
            assertThat(bytes).as(name).isEqualTo(rs.getBytes(i + 1));
          } else if (decoded instanceof String text) {
            // the driver prints temporal fractions to 6 digits, the column's width may be less
            assertThat(withoutTrailingFraction(text))
                .as(name)
                .isEqualTo(withoutTrailingFraction(rs.getString(i + 1)));
          } else {
            assertThat(new BigDecimal(decoded.toString()))
                .as(name)
                .isEqualByComparingTo(new BigDecimal(rs.getString(i + 1)));
          }
        }
      }
    }
  }

  private static String withoutTrailingFraction(String text) {
    return text.matches(".*\\d\\d:\\d\\d:\\d\\d\\.\\d+")
        ? text.replaceAll("0+$", "").replaceAll("\\.$", "")
        : text;
  }

  @Test
  void refusesAMissingGrantNamingIt() {
    db.execute(
        "CREATE USER IF NOT EXISTS 'dray_no_repl'@'%' IDENTIFIED BY 'No-Repl-Pw-1'",
        "GRANT SELECT ON *.* TO 'dray_no_repl'@'%'");
    var config = db.config().withUser("dray_no_repl").withPassword("No-Repl-Pw-1");
    try (Connection connection = Connections.open(config)) {
      assertThatThrownBy(() -> BinlogPreconditions.check(connection, Dialects.detect(connection)))
          .isInstanceOf(DrayException.class)
          .hasMessageContaining("REPLICATION SLAVE")
          .hasMessageContaining("BINLOG MONITOR")
          .extracting(e -> ((DrayException) e).code())
          .isEqualTo(ErrorCode.ACCESS_DENIED);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void refusesStatementFormatAndMinimalImages() throws SQLException {
    try (Connection connection = Connections.open(db.config());
        Statement statement = connection.createStatement()) {
      try {
        statement.execute("SET GLOBAL binlog_format = 'STATEMENT'");
        assertThatThrownBy(() -> BinlogPreconditions.check(connection, Dialects.detect(connection)))
            .hasMessageContaining("binlog_format is STATEMENT, not ROW");
        statement.execute("SET GLOBAL binlog_format = 'ROW'");
        statement.execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
        assertThatThrownBy(() -> BinlogPreconditions.check(connection, Dialects.detect(connection)))
            .hasMessageContaining("binlog_row_image is MINIMAL, not FULL");
      } finally {
        statement.execute("SET GLOBAL binlog_format = 'ROW'");
        statement.execute("SET GLOBAL binlog_row_image = 'FULL'");
      }
    }
  }

  @Test
  void refusesAPurgedPositionSayingAFreshStartIsNeeded() {
    BinlogPosition gone = new BinlogPosition("dray-bin.000000", 4, null);
    assertThatThrownBy(
            () ->
                ChangeStream.builder()
                    .source(db.config())
                    .table(new TableName(db.schema(), "types"))
                    .start(gone)
                    .build()
                    .open())
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("purged")
        .hasMessageContaining("fresh start is needed");
  }
}
