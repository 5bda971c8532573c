package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.ColumnInfo;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.TableInspector;
import dev.dray.load.DuckDbColumn.BinaryCell;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows decoded from the raw binary-protocol bytes ({@link BinaryRowCopier}) land in DuckDB exactly
 * as rows decoded by the driver's JDBC getters, and the module's whole fast path loads exactly what
 * the drivers' public APIs load: every column type, NULLs, extremes of every integer width signed
 * and unsigned, zero dates, and strings whose length prefix takes 1, 3 and 4 bytes.
 */
@ExtendWith(MariaDbExtension.class)
class BinaryRowDecodingTest {
  @TempDir static Path dir;
  static TestDatabase database;

  @BeforeAll
  static void createTable(TestDatabase db) {
    database = db;
    db.execute(
        "SET time_zone = '+00:00'",
        "SET sql_mode = ''",
        "CREATE TABLE decoding (id INT NOT NULL PRIMARY KEY,"
            + " ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT,"
            + " miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,"
            + " d4 DECIMAL(4,1), d18 DECIMAL(18,6), d30 DECIMAL(30,10), f FLOAT, db DOUBLE,"
            + " b1 BIT(1), b64 BIT(64), dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP(3) NULL,"
            + " tm TIME(6), y YEAR, c CHAR(5), vc VARCHAR(300), mt MEDIUMTEXT, lb LONGBLOB,"
            + " e ENUM('a','b c'), st SET('x','y'), j JSON, g GEOMETRY, u_id BIGINT)",
        "INSERT INTO decoding VALUES"
            + " (1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,"
            + " 9223372036854775807, 18446744073709551615, 999.9, 999999999999.999999,"
            + " 99999999999999999999.9999999999, 3.5, -1.7976931348623157E308, b'1', b'"
            + "1".repeat(64)
            + "', '9999-12-31', '9999-12-31 23:59:59', '2026-02-28 23:59:59.999999',"
            + " '2038-01-19 03:14:07.999', '-838:59:59.000000', 2155, 'abcde', REPEAT('é', 150),"
            + " REPEAT('x', 70000), REPEAT(0xff00, 40000), 'b c', 'x,y', '{\"a\": [1, 2]}',"
            + " ST_GeomFromText('POINT(1 2)'), 1),"
            + " (2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, -999.9,"
            + " -999999999999.999999, -99999999999999999999.9999999999, -0.0, 5e-324, b'0', b'0',"
            + " '1000-01-01', '1000-01-01 00:00:00', '1969-12-31 23:59:59.000001',"
            + " '1970-01-01 00:00:01', '00:00:00', 1901, '', REPEAT('y', 250), REPEAT('z', 251),"
            + " 0x00, 'a', '', 'null', ST_GeomFromText('LINESTRING(0 0, 1 1)'), -1),"
            + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL),"
            + " (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, '0000-00-00',"
            + " '0000-00-00 00:00:00', '2026-00-10 10:00:00', '0000-00-00 00:00:00', '100:30:00.5',"
            + " 0, 'x', 'x', 'x', NULL, NULL, NULL, NULL, NULL, 0),"
            + " (5, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -0.1, 0.000001, -0.0000000001, 1e-10, 1e300,"
            + " NULL, b'1010', '2026-00-10', NULL, '2026-02-00 10:00:00.5', NULL, '-00:00:01.25',"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    // enough plain rows to fill several 2,048-row DuckDB chunks
    db.execute(
        "INSERT INTO decoding (id, i, bi, d18, db, dt, dtm, vc, mt)"
            + " SELECT 10 + seq, seq, -seq * 1000003, seq / 7, seq / 3,"
            + " '2026-01-01' + INTERVAL seq DAY, '2026-01-01' + INTERVAL seq SECOND,"
            + " IF(seq % 5 = 0, NULL, CONCAT('row ', seq)), REPEAT('m', seq % 300)"
            + " FROM seq_1_to_5000");
  }

  @Test
  void binaryRowsLandExactlyAsTheDriversGettersDecodeThem() {
    Path binary = dir.resolve("binary.duckdb");
    Path getters = dir.resolve("getters.duckdb");
    LoadResult fast = load(binary);
    LoadResult slow = withProperty(DriverAccess.ROW_DECODING, "driver", () -> load(getters));
    assertSameRows(binary, fast, getters, slow);
  }

  /**
   * The optional module's path (raw rows, DuckDB chunks filled directly) and the drivers' public
   * APIs (JDBC getters, the public DuckDB appender) load the same table of every type identically.
   */
  @Test
  void theFastPathAndThePublicApisLoadTheSameRows() throws Exception {
    Path fastFile = dir.resolve("fast.duckdb");
    Path publicFile = dir.resolve("public.duckdb");
    LoadResult fast = load(fastFile);
    LoadResult slow = withProperty(DriverAccess.FORCE_PUBLIC, "public", () -> load(publicFile));
    assertSameRows(fastFile, fast, publicFile, slow);
    try (DuckDBConnection connection =
        DriverManager.getConnection("jdbc:duckdb:").unwrap(DuckDBConnection.class)) {
      assertThat(DriverAccess.shared().useDuckDbInternals(connection))
          .as("the module's internals are in use when it is on the class path")
          .isTrue();
    }
  }

  private static void assertSameRows(
      Path file, LoadResult result, Path other, LoadResult expected) {
    assertThat(result.rows()).isEqualTo(5005).isEqualTo(expected.rows());
    assertThat(result.zeroDates()).isEqualTo(expected.zeroDates()).isGreaterThanOrEqualTo(6);
    String attach =
        "ATTACH '" + other.toAbsolutePath() + "' AS other (READ_ONLY); SELECT count(*) FROM (";
    assertThat(
            DuckDbFiles.queryLong(
                file, attach + "SELECT * FROM decoding EXCEPT ALL SELECT * FROM other.decoding)"))
        .isZero();
    assertThat(
            DuckDbFiles.queryLong(
                file, attach + "SELECT * FROM other.decoding EXCEPT ALL SELECT * FROM decoding)"))
        .isZero();
    assertThat(DuckDbFiles.queryLong(file, "SELECT length(mt) FROM decoding WHERE id = 1"))
        .isEqualTo(70000);
    assertThat(DuckDbFiles.queryLong(file, "SELECT octet_length(lb) FROM decoding WHERE id = 1"))
        .isEqualTo(80000);
  }

  private static LoadResult withProperty(String name, String value, Supplier<LoadResult> action) {
    String previous = System.setProperty(name, value);
    try {
      return action.get();
    } finally {
      if (previous == null) {
        System.clearProperty(name);
      } else {
        System.setProperty(name, previous);
      }
    }
  }

  @Test
  void everyColumnButTheDriverOnesIsDecodedFromTheRawRow() throws Exception {
    List<ColumnInfo> columns;
    Dialect dialect;
    try (Connection c = Connections.open(database.config())) {
      columns = new TableInspector(c).inspect(database.table("decoding")).columns();
      dialect = Dialects.detect(c);
    }
    List<DuckDbColumn> mapped =
        columns.stream().map(column -> DuckDbColumn.of(column, "decoding")).toList();
    String select =
        "SELECT "
            + mapped.stream()
                .map(m -> m.selectExpression(dialect))
                .collect(Collectors.joining(", "))
            + " FROM decoding";
    try (Connection c = Connections.open(LoadJob.withBinaryProtocol(database.config()));
        PreparedStatement statement = c.prepareStatement(select);
        ResultSet rs = statement.executeQuery()) {
      BinaryRowCopier copier = BinaryRowCopier.forResult(rs, mapped);
      assertThat(copier).as("binary rows are readable").isNotNull();
      Map<String, BinaryCell> cells = copier.cellsByName(columns);
      assertThat(cells)
          .containsEntry("ti", BinaryCell.INT8)
          .containsEntry("biu", BinaryCell.INT64)
          .containsEntry("d18", BinaryCell.UNSCALED)
          .containsEntry("dt", BinaryCell.EPOCH_DAYS)
          .containsEntry("dtm6", BinaryCell.EPOCH_MICROS)
          .containsEntry("db", BinaryCell.DOUBLE)
          .containsEntry("mt", BinaryCell.BYTES)
          .containsEntry("b64", BinaryCell.BIT_LONG)
          .containsEntry("ts", BinaryCell.DRIVER)
          .containsEntry("tm", BinaryCell.DRIVER)
          .containsEntry("d30", BinaryCell.DRIVER);
    }
  }

  @Test
  void textProtocolRowsFallBackToTheGetters() throws Exception {
    try (Connection c = Connections.open(database.config());
        java.sql.Statement statement = c.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id FROM decoding")) {
      ColumnInfo id = new TableInspector(c).inspect(database.table("decoding")).columns().get(0);
      assertThat(BinaryRowCopier.forResult(rs, List.of(DuckDbColumn.of(id, "decoding")))).isNull();
    }
  }

  @Test
  void aResultSetThatIsNotTheDriversOwnFallsBackToTheGetters() {
    ResultSet wrapped =
        (ResultSet)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> {
                  throw new UnsupportedOperationException(method.getName());
                });
    assertThat(BinaryRowCopier.forResult(wrapped, List.of())).isNull();
  }

  private static LoadResult load(Path file) {
    return LoadJob.builder()
        .source(database.config())
        .table(database.table("decoding"))
        .target(file)
        .workers(2)
        .chunkRows(1000)
        .build()
        .run();
  }
}
