package dev.dray.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.TableName;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every MySQL/MariaDB column type, cell by cell, as it lands in DuckDB. */
@ExtendWith(MariaDbExtension.class)
class LoadTypesTest {
  @TempDir static Path dir;
  static Path file;
  static LoadResult result;

  private static final String D65_MAX = "9".repeat(35) + "." + "9".repeat(30);
  private static final String D38_MAX = "9".repeat(28) + "." + "9".repeat(10);

  @BeforeAll
  static void load(TestDatabase db) {
    db.execute(
        "SET time_zone = '+00:00'",
        "SET sql_mode = ''",
        "CREATE TABLE types (id INT NOT NULL PRIMARY KEY,"
            + " ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT,"
            + " miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,"
            + " d10 DECIMAL(10,2), d38 DECIMAL(38,10), d65 DECIMAL(65,30), f FLOAT, db DOUBLE,"
            + " b1 BIT(1), b12 BIT(12), b64 BIT(64), dt DATE, dtm DATETIME(6), ts TIMESTAMP(3) NULL,"
            + " tm TIME(6), y YEAR, c CHAR(5), vc VARCHAR(50), tx TEXT, bn BINARY(4), vb VARBINARY(10),"
            + " bl BLOB, e ENUM('a','b c'), st SET('x','y','z'), j JSON, g GEOMETRY, pt POINT,"
            + " gen BIGINT AS (i * 2) VIRTUAL, gens VARCHAR(60) AS (CONCAT(vc, '!')) STORED)",
        "INSERT INTO types (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, d10, d38, d65, f, db, b1, b12, b64,"
            + " dt, dtm, ts, tm, y, c, vc, tx, bn, vb, bl, e, st, j, g, pt) VALUES"
            + " (1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,"
            + " 18446744073709551615, 99999999.99, "
            + D38_MAX
            + ", "
            + D65_MAX
            + ", 3.5, 1.7976931348623157E308,"
            + " b'1', b'111111111111', b'"
            + "1".repeat(64)
            + "', '9999-12-31', '2026-02-28 23:59:59.999999',"
            + " '2038-01-19 03:14:07.999', '838:59:59.000000', 2155, 'abc', 'emoji \uD83D\uDE00 ünïcode', REPEAT('long ', 1000),"
            + " 0x00010203, 0xff00, 0xdeadbeef00, 'b c', 'x,z', '{\"a\": [1, 2]}', ST_GeomFromText('POINT(1 2)'),"
            + " ST_GeomFromText('POINT(3 4)')),"
            + " (2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, -99999999.99,"
            + " -"
            + D38_MAX
            + ", -"
            + D65_MAX
            + ", -1.25, 1e-300, b'0', b'0', b'0', '1000-01-01', '1000-01-01 00:00:00',"
            + " '1970-01-01 00:00:01', '-838:59:59.000000', 1901, '', '', '', 0x00, '', '', 'a', '', 'null',"
            + " ST_GeomFromText('LINESTRING(0 0, 1 1)'), ST_GeomFromText('POINT(0 0)')),"
            + " (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
            + " (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, '0000-00-00', '0000-00-00 00:00:00',"
            + " '0000-00-00 00:00:00', '100:30:00.5', 0, 'x', 'x', 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
            + " (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, '2026-00-10', '2026-02-00 10:00:00.5', NULL, '-00:00:01.25', NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    file = dir.resolve("types.duckdb");
    result =
        LoadJob.builder().source(db.config()).table(db.table("types")).target(file).build().run();
  }

  private static Map<String, String> row(int id) {
    List<List<Object>> columns =
        DuckDbFiles.query(
            file,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'types' ORDER BY ordinal_position");
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns.size(); i++) {
      sql.append(i == 0 ? "" : ", ")
          .append("CAST(\"")
          .append(columns.get(i).get(0))
          .append("\" AS VARCHAR)");
    }
    sql.append(" FROM types WHERE id = ").append(id);
    List<Object> values = DuckDbFiles.query(file, sql.toString()).get(0);
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      row.put((String) columns.get(i).get(0), (String) values.get(i));
    }
    return row;
  }

  @Test
  void declaresTheDocumentedDuckDbTypes() {
    Map<String, String> types = new LinkedHashMap<>();
    for (List<Object> r :
        DuckDbFiles.query(
            file,
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'types' ORDER BY ordinal_position")) {
      types.put((String) r.get(0), (String) r.get(1));
    }
    assertThat(types)
        .containsEntry("ti", "TINYINT")
        .containsEntry("tiu", "UTINYINT")
        .containsEntry("si", "SMALLINT")
        .containsEntry("siu", "USMALLINT")
        .containsEntry("mi", "INTEGER")
        .containsEntry("miu", "UINTEGER")
        .containsEntry("i", "INTEGER")
        .containsEntry("iu", "UINTEGER")
        .containsEntry("bi", "BIGINT")
        .containsEntry("biu", "UBIGINT")
        .containsEntry("d10", "DECIMAL(10,2)")
        .containsEntry("d38", "DECIMAL(38,10)")
        .containsEntry("d65", "VARCHAR")
        .containsEntry("f", "FLOAT")
        .containsEntry("db", "DOUBLE")
        .containsEntry("b1", "BOOLEAN")
        .containsEntry("b12", "UBIGINT")
        .containsEntry("b64", "UBIGINT")
        .containsEntry("dt", "DATE")
        .containsEntry("dtm", "TIMESTAMP")
        .containsEntry("ts", "TIMESTAMP")
        .containsEntry("tm", "INTERVAL")
        .containsEntry("y", "SMALLINT")
        .containsEntry("c", "VARCHAR")
        .containsEntry("vc", "VARCHAR")
        .containsEntry("tx", "VARCHAR")
        .containsEntry("bn", "BLOB")
        .containsEntry("vb", "BLOB")
        .containsEntry("bl", "BLOB")
        .containsEntry("e", "VARCHAR")
        .containsEntry("st", "VARCHAR")
        .containsEntry("j", "VARCHAR")
        .containsEntry("g", "BLOB")
        .containsEntry("pt", "BLOB")
        .containsEntry("gen", "BIGINT")
        .containsEntry("gens", "VARCHAR");
  }

  @Test
  void maxima() {
    Map<String, String> row = row(1);
    assertThat(row)
        .containsEntry("ti", "127")
        .containsEntry("tiu", "255")
        .containsEntry("si", "32767")
        .containsEntry("siu", "65535")
        .containsEntry("mi", "8388607")
        .containsEntry("miu", "16777215")
        .containsEntry("i", "2147483647")
        .containsEntry("iu", "4294967295")
        .containsEntry("bi", "9223372036854775807")
        .containsEntry("biu", "18446744073709551615")
        .containsEntry("d10", "99999999.99")
        .containsEntry("d38", D38_MAX)
        .containsEntry("d65", D65_MAX)
        .containsEntry("f", "3.5")
        .containsEntry("db", "1.7976931348623157e+308")
        .containsEntry("b1", "true")
        .containsEntry("b12", "4095")
        .containsEntry("b64", "18446744073709551615")
        .containsEntry("dt", "9999-12-31")
        .containsEntry("dtm", "2026-02-28 23:59:59.999999")
        .containsEntry("ts", "2038-01-19 03:14:07.999")
        .containsEntry("tm", "838:59:59")
        .containsEntry("y", "2155")
        .containsEntry("c", "abc")
        .containsEntry("vc", "emoji \uD83D\uDE00 ünïcode")
        .containsEntry("tx", "long ".repeat(1000))
        .containsEntry("bn", "\\x00\\x01\\x02\\x03")
        .containsEntry("vb", "\\xFF\\x00")
        .containsEntry("bl", "\\xDE\\xAD\\xBE\\xEF\\x00")
        .containsEntry("e", "b c")
        .containsEntry("st", "x,z")
        .containsEntry("j", "{\"a\": [1, 2]}")
        .containsEntry("gen", "4294967294")
        .containsEntry("gens", "emoji \uD83D\uDE00 ünïcode!");
    // WKB of POINT(1 2): little-endian byte order, type 1, x = 1.0, y = 2.0
    assertThat(row.get("g"))
        .isEqualTo(
            "\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xF0?\\x00\\x00\\x00\\x00\\x00\\x00\\x00@");
  }

  @Test
  void minima() {
    Map<String, String> row = row(2);
    assertThat(row)
        .containsEntry("ti", "-128")
        .containsEntry("tiu", "0")
        .containsEntry("si", "-32768")
        .containsEntry("mi", "-8388608")
        .containsEntry("i", "-2147483648")
        .containsEntry("bi", "-9223372036854775808")
        .containsEntry("biu", "0")
        .containsEntry("d10", "-99999999.99")
        .containsEntry("d38", "-" + D38_MAX)
        .containsEntry("d65", "-" + D65_MAX)
        .containsEntry("f", "-1.25")
        .containsEntry("db", "1e-300")
        .containsEntry("b1", "false")
        .containsEntry("b12", "0")
        .containsEntry("dt", "1000-01-01")
        .containsEntry("dtm", "1000-01-01 00:00:00")
        .containsEntry("ts", "1970-01-01 00:00:01")
        .containsEntry("tm", "-838:59:59")
        .containsEntry("y", "1901")
        .containsEntry("c", "")
        .containsEntry("vc", "")
        .containsEntry("bn", "\\x00\\x00\\x00\\x00")
        .containsEntry("vb", "")
        .containsEntry("bl", "")
        .containsEntry("e", "a")
        .containsEntry("st", "")
        .containsEntry("j", "null")
        .containsEntry("gens", "!");
  }

  @Test
  void nullEverywhere() {
    Map<String, String> row = row(3);
    row.remove("id");
    assertThat(row.values()).containsOnlyNulls();
  }

  @Test
  void zeroDatesBecomeNullAndAreCounted() {
    Map<String, String> zero = row(4);
    assertThat(zero.get("dt")).isNull();
    assertThat(zero.get("dtm")).isNull();
    assertThat(zero.get("ts")).isNull();
    assertThat(zero).containsEntry("tm", "100:30:00.5").containsEntry("y", "0");
    Map<String, String> partlyZero = row(5);
    assertThat(partlyZero.get("dt")).isNull();
    assertThat(partlyZero.get("dtm")).isNull();
    assertThat(partlyZero).containsEntry("tm", "-00:00:01.25");
    assertThat(result.zeroDates()).isEqualTo(5);
    assertThat(result.taskReports())
        .singleElement()
        .extracting(TaskReport::zeroDates)
        .isEqualTo(5L);
  }

  @Test
  void oddIdentifiers(TestDatabase db) {
    db.execute(
        "CREATE TABLE `select-odd``name ünï` (`from` INT NOT NULL, `a-b` VARCHAR(5), `ünïcödé` INT, `back``tick` INT,"
            + " `\"quoted\"` INT, PRIMARY KEY (`from`)) PARTITION BY RANGE (`from`)"
            + " (PARTITION `p-1 ö` VALUES LESS THAN (50), PARTITION `order` VALUES LESS THAN MAXVALUE)",
        "INSERT INTO `select-odd``name ünï` SELECT seq, 'x', seq, seq, seq FROM seq_1_to_100",
        "ANALYZE TABLE `select-odd``name ünï`");
    Path odd = dir.resolve("odd.duckdb");

    LoadResult loaded =
        LoadJob.builder()
            .source(db.config())
            .table(new TableName(db.schema(), "select-odd`name ünï"))
            .target(odd)
            .chunkRows(10)
            .build()
            .run();

    assertThat(loaded.rows()).isEqualTo(100);
    assertThat(loaded.tasks()).isGreaterThan(2);
    List<Object> sums =
        DuckDbFiles.query(
                odd,
                "SELECT sum(\"from\"), count(\"a-b\"), sum(\"ünïcödé\"), sum(\"back`tick\"), sum(\"\"\"quoted\"\"\") FROM \"select-odd`name ünï\"")
            .get(0);
    List<Long> expected = new ArrayList<>(List.of(5050L, 100L, 5050L, 5050L, 5050L));
    assertThat(sums).extracting(v -> ((Number) v).longValue()).isEqualTo(expected);
  }
}
