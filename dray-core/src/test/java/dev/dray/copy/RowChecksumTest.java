package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.ColumnInfo;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.TableName;
import dev.dray.plan.KeyRange;
import dev.dray.plan.SqlFragment;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins verify's checksum SQL byte for byte: a change in it changes every fingerprint, so a verify
 * across two dray versions (or a stored expectation) would report differences that are not there.
 */
class RowChecksumTest {
  private static final TableName TABLE = new TableName("shop", "orders");

  /** One column of each kind the canonical text treats apart, and a name that needs escaping. */
  private static final List<ColumnInfo> COLUMNS =
      List.of(
          new ColumnInfo("id", 1, "bigint", "bigint(20)", false, 19, 0, 0, 0, false),
          new ColumnInfo("k2", 2, "varchar", "varchar(10)", false, 0, 0, 0, 40, false),
          new ColumnInfo("name", 3, "varchar", "varchar(64)", true, 0, 0, 0, 256, false),
          new ColumnInfo("created", 4, "datetime", "datetime(3)", true, 0, 0, 3, 0, false),
          new ColumnInfo("updated", 5, "timestamp", "timestamp(6)", false, 0, 0, 6, 0, false),
          new ColumnInfo("took", 6, "time", "time", true, 0, 0, 0, 0, false),
          new ColumnInfo("amount", 7, "decimal", "decimal(10,2)", true, 10, 2, 0, 0, false),
          new ColumnInfo("ratio", 8, "double", "double", true, 22, 0, 0, 0, false),
          new ColumnInfo("payload", 9, "blob", "blob", true, 0, 0, 0, 65535, false),
          new ColumnInfo("odd`name", 10, "int", "int(11)", true, 10, 0, 0, 0, false));

  private static final String ROW_TEXT =
      "CONCAT_WS('|', CONCAT(ISNULL(`id`), ISNULL(`k2`), ISNULL(`name`), ISNULL(`created`),"
          + " ISNULL(`updated`), ISNULL(`took`), ISNULL(`amount`), ISNULL(`ratio`),"
          + " ISNULL(`payload`), ISNULL(`odd``name`)), `id`, `k2`, `name`,"
          + " DATE_FORMAT(`created`, '%Y-%m-%d %H:%i:%s.%f'),"
          + " DATE_FORMAT(`updated`, '%Y-%m-%d %H:%i:%s.%f'), TIME_FORMAT(`took`, '%H:%i:%s.%f'),"
          + " CAST(`amount` AS DECIMAL(65, 30)), `ratio`, `payload`, `odd``name`)";

  static Stream<Dialect> dialects() {
    return Stream.of(
        Dialects.forServer("MariaDB", "11.4.5-MariaDB"), Dialects.forServer("MySQL", "8.0.36"));
  }

  @ParameterizedTest
  @MethodSource("dialects")
  void rangeChecksum(Dialect dialect) {
    RowChecksum checksum = new RowChecksum(dialect, COLUMNS, List.of("id", "k2"));
    SqlFragment sql =
        checksum.rangeChecksum(TABLE, new KeyRange(List.of(1L, "a"), List.of(9L, "z")));
    assertThat(sql.sql())
        .isEqualTo(
            "SELECT COUNT(*), COALESCE(SUM(h), 0), COALESCE(BIT_XOR(h), 0) FROM (SELECT"
                + " CAST(CONV(LEFT(MD5("
                + ROW_TEXT
                + "), 16), 16, 10) AS UNSIGNED) AS h FROM `shop`.`orders` WHERE"
                + " (`id` >= ? AND ((`id` > ?) OR (`id` = ? AND `k2` >= ?))) AND"
                + " (`id` <= ? AND ((`id` < ?) OR (`id` = ? AND `k2` < ?)))) hashed");
    assertThat(sql.parameters()).containsExactly(1L, 1L, 1L, "a", 9L, 9L, 9L, "z");
  }

  @ParameterizedTest
  @MethodSource("dialects")
  void rowHashes(Dialect dialect) {
    RowChecksum checksum = new RowChecksum(dialect, COLUMNS, List.of("id", "k2"));
    SqlFragment sql = checksum.rowHashes(TABLE, KeyRange.ALL);
    assertThat(sql.sql())
        .isEqualTo(
            "SELECT `id`, `k2`, MD5("
                + ROW_TEXT
                + ") FROM `shop`.`orders` WHERE 1=1 ORDER BY `id`, `k2`");
    assertThat(sql.parameters()).isEmpty();
  }
}
