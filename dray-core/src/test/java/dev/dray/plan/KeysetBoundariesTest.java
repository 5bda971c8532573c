package dev.dray.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.TableInfo;
import dev.dray.db.TableInspector;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ranges of a keyset walk cover every row exactly once, whatever the key's shape. */
@ExtendWith(MariaDbExtension.class)
class KeysetBoundariesTest {

  @BeforeAll
  static void createTables(TestDatabase db) {
    db.execute(
        // composite key with a string part, skewed: many rows share the first column
        "CREATE TABLE composite (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, PRIMARY KEY (a, b))",
        "INSERT INTO composite SELECT seq % 7, CONCAT('k', LPAD(seq, 5, '0')), seq FROM seq_1_to_2500",
        // gappy integer key
        "CREATE TABLE gappy (id BIGINT PRIMARY KEY, v INT)",
        "INSERT INTO gappy SELECT seq * seq, seq FROM seq_1_to_1000",
        // binary key
        "CREATE TABLE bin (k VARBINARY(16) PRIMARY KEY)",
        "INSERT INTO bin SELECT UNHEX(MD5(seq)) FROM seq_1_to_777",
        "CREATE TABLE empty_table (id INT PRIMARY KEY)");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 100, 999, 5000})
  void rangesCoverEveryRowOnce(long chunkRows, TestDatabase db) throws Exception {
    for (String table : List.of("composite", "gappy", "bin", "empty_table")) {
      assertCovered(db, table, chunkRows);
    }
  }

  @Test
  void plannerSplitsBigTablesAndOrdersBiggestFirst(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      Dialect dialect = Dialects.detect(connection);
      db.execute("ANALYZE TABLE composite, gappy");
      TableInspector inspector = new TableInspector(connection);
      List<TableInfo> tables =
          List.of(inspector.inspect(db.table("gappy")), inspector.inspect(db.table("composite")));
      List<Task> tasks = new Planner(connection, dialect, 1000).plan(tables);
      assertThat(tasks)
          .extracting(Task::sequence)
          .containsExactly(
              java.util.stream.LongStream.range(0, tasks.size()).boxed().toArray(Long[]::new));
      assertThat(tasks)
          .isSortedAccordingTo((x, y) -> Long.compare(y.estimatedRows(), x.estimatedRows()));
      assertThat(tasks.stream().filter(t -> t.table().table().equals("composite")))
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(tasks.stream().filter(t -> t.table().table().equals("gappy"))).hasSize(1);
    }
  }

  private static void assertCovered(TestDatabase db, String table, long chunkRows)
      throws Exception {
    try (Connection connection = db.connect()) {
      Dialect dialect = Dialects.detect(connection);
      TableInfo info = new TableInspector(connection).inspect(db.table(table));
      List<String> key = info.key().stream().map(c -> c.name()).toList();
      List<KeyRange> ranges = new ArrayList<>();
      new KeysetBoundaries(connection, dialect, info.name(), null, key, chunkRows, KeyRange.ALL)
          .forEachRemaining(ranges::add);
      Set<String> seen = new HashSet<>();
      long total = 0;
      for (KeyRange range : ranges) {
        SqlFragment where = KeyPredicates.range(dialect, key, range);
        try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT CONCAT_WS('|', "
                    + dialect.quotedList(key).replace("`k`", "HEX(`k`)")
                    + ") FROM "
                    + dialect.quote(info.name())
                    + " WHERE "
                    + where.sql())) {
          where.bind(statement, 1);
          try (ResultSet rs = statement.executeQuery()) {
            long inRange = 0;
            while (rs.next()) {
              assertThat(seen.add(rs.getString(1)))
                  .as("row %s seen twice (range %s)", rs.getString(1), range)
                  .isTrue();
              inRange++;
            }
            assertThat(inRange)
                .as("range %s of %s", range, table)
                .isLessThanOrEqualTo(Math.max(chunkRows, 1));
            total += inRange;
          }
        }
      }
      assertThat(total)
          .as("rows of %s covered with chunk %d", table, chunkRows)
          .isEqualTo(db.queryLong("SELECT COUNT(*) FROM " + table));
    }
  }
}
