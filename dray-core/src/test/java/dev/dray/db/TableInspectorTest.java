package dev.dray.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class TableInspectorTest {

  @Test
  void readsColumnsKeyAndPartitions(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE orders (id BIGINT NOT NULL, created DATE NOT NULL, note VARCHAR(20) NULL,"
            + " amount DECIMAL(12,2) NOT NULL, PRIMARY KEY (id, created))"
            + " PARTITION BY RANGE (TO_DAYS(created)) (PARTITION p1 VALUES LESS THAN (TO_DAYS('2026-02-01')),"
            + " PARTITION p2 VALUES LESS THAN MAXVALUE)");
    try (Connection connection = db.connect()) {
      TableInfo info = new TableInspector(connection).inspect(db.table("orders"));
      assertThat(info.columnNames()).containsExactly("id", "created", "note", "amount");
      assertThat(info.key()).extracting(ColumnInfo::name).containsExactly("id", "created");
      assertThat(info.keyIsPrimary()).isTrue();
      assertThat(info.partitions()).extracting(PartitionInfo::name).containsExactly("p1", "p2");
      assertThat(info.column("amount").orElseThrow().precision()).isEqualTo(12);
      assertThat(info.column("note").orElseThrow().nullable()).isTrue();
    }
  }

  @Test
  void fallsBackToUniqueNotNullKey(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE u (a INT NULL, b VARCHAR(10) NOT NULL, c INT NOT NULL, UNIQUE KEY ua (a), UNIQUE KEY ubc (b, c))");
    try (Connection connection = db.connect()) {
      TableInfo info = new TableInspector(connection).inspect(db.table("u"));
      assertThat(info.key()).extracting(ColumnInfo::name).containsExactly("b", "c");
      assertThat(info.keyIsPrimary()).isFalse();
      assertThat(info.isPartitioned()).isFalse();
    }
  }

  @Test
  void subpartitionsAreTheLeaves(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE s (id INT NOT NULL, y INT NOT NULL, PRIMARY KEY (id, y))"
            + " PARTITION BY RANGE (y) SUBPARTITION BY HASH (id) SUBPARTITIONS 2"
            + " (PARTITION a VALUES LESS THAN (10), PARTITION b VALUES LESS THAN MAXVALUE)");
    try (Connection connection = db.connect()) {
      TableInfo info = new TableInspector(connection).inspect(db.table("s"));
      assertThat(info.partitions()).hasSize(4);
      assertThat(info.partitions().get(0).parent()).isEqualTo("a");
      assertThat(info.partitions().get(0).label()).startsWith("a/");
    }
  }

  @Test
  void missingTableIsNotFound(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      assertThatThrownBy(() -> new TableInspector(connection).inspect(db.table("nope")))
          .isInstanceOf(DrayException.class)
          .hasMessageContaining(db.schema() + ".nope")
          .hasMessageContaining("does not exist")
          .extracting(e -> ((DrayException) e).code())
          .isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void oddIdentifiersAreQuoted(TestDatabase db) throws Exception {
    try (Connection connection = db.connect()) {
      Dialect dialect = Dialects.detect(connection);
      String odd = "select-`ü`名 x"; // identifiers are limited to the BMP in MariaDB
      db.execute(
          "CREATE TABLE "
              + dialect.quote(odd)
              + " ("
              + dialect.quote("order")
              + " INT PRIMARY KEY)");
      TableInfo info = new TableInspector(connection).inspect(db.table(odd));
      assertThat(info.columnNames()).containsExactly("order");
      assertThat(dialect.productName()).startsWith("MariaDB");
    }
  }
}
