package dev.dray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.BinlogServer;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code dray copy --create-target}: a missing target is created, LIKE or from the source DDL. */
@ExtendWith(MariaDbExtension.class)
class CopyCreateTargetTest {
  private static final String DEFINITION =
      " (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL DEFAULT 7, b VARCHAR(64) NULL,"
          + " KEY by_a (a)) COMMENT 'the source'";

  @BeforeAll
  static void createSource(TestDatabase db) {
    db.execute(
        "CREATE TABLE src" + DEFINITION,
        "INSERT INTO src SELECT seq, seq % 100, MD5(seq) FROM seq_1_to_1200");
  }

  /** SHOW CREATE TABLE of {@code table} with its own name taken out. */
  private static String definition(TestDatabase db, String table) {
    String create = String.valueOf(db.query("SHOW CREATE TABLE " + table).get(0).get(1));
    return create.replaceFirst("CREATE TABLE `[^`]+`", "CREATE TABLE `x`");
  }

  /** Columns (name, type, nullability, default), indexes and the comment of {@code table}. */
  private static List<List<Object>> shape(TestDatabase db, String table) {
    String where = " WHERE TABLE_SCHEMA = '" + db.schema() + "' AND TABLE_NAME = '" + table + "'";
    List<List<Object>> shape =
        new java.util.ArrayList<>(
            db.query(
                "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM"
                    + " information_schema.COLUMNS"
                    + where
                    + " ORDER BY ORDINAL_POSITION"));
    shape.addAll(
        db.query(
            "SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS"
                + where
                + " ORDER BY INDEX_NAME, SEQ_IN_INDEX"));
    shape.addAll(db.query("SELECT TABLE_COMMENT FROM information_schema.TABLES" + where));
    return shape;
  }

  private static long checksum(TestDatabase db, String table) {
    return db.queryLong("SELECT SUM(CRC32(CONCAT_WS('|', id, a, b))) FROM " + table);
  }

  @Test
  void aMissingTargetOnTheSameServerIsCreatedLikeTheSource(TestDatabase db) {
    CliRun dryRun =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".src",
            "--target-table",
            db.schema() + ".made",
            "--create-target",
            "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(dryRun.out())
        .contains("does not exist: --create-target will create it LIKE " + db.schema() + ".src");
    assertThat(db.queryLong(tableCount(db, "made"))).isZero();

    CliRun copy =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".src",
            "--target-table",
            db.schema() + ".made",
            "--create-target");

    assertThat(copy.exitCode()).as(copy.err()).isZero();
    assertThat(copy.err())
        .contains("target table " + db.schema() + ".made created LIKE " + db.schema() + ".src");
    assertThat(copy.out()).contains("copied 1,200 rows");
    assertThat(definition(db, "made")).isEqualTo(definition(db, "src"));
    assertThat(checksum(db, "made")).isEqualTo(checksum(db, "src"));

    // an existing target is used as it is: a second run into the now full table is refused as
    // before, and nothing in it changes
    db.execute("UPDATE made SET b = 'kept' WHERE id = 5");
    CliRun again =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".src",
            "--target-table",
            db.schema() + ".made",
            "--job-id",
            "second",
            "--create-target");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("already holds rows").doesNotContain("created");
    assertThat(db.query("SELECT b FROM made WHERE id = 5")).isEqualTo(List.of(List.of("kept")));
  }

  @Test
  void withoutTheFlagAMissingTargetIsRefusedNamingIt(TestDatabase db) {
    CliRun copy =
        CliRun.of(
            "copy",
            "--source",
            db.url(),
            "--table",
            db.schema() + ".src",
            "--target-table",
            db.schema() + ".absent");

    assertThat(copy.exitCode()).isEqualTo(1);
    assertThat(copy.err())
        .contains("target table " + db.schema() + ".absent does not exist")
        .contains("--create-target");
    assertThat(db.queryLong(tableCount(db, "absent"))).isZero();
  }

  @Test
  void aMissingTargetOnAnotherServerIsCreatedFromTheSourcesDefinition(TestDatabase db) {
    TestDatabase other = BinlogServer.newDatabase("create_target");
    other.execute(
        "CREATE TABLE src" + DEFINITION,
        "INSERT INTO src SELECT seq, seq % 100, MD5(seq) FROM seq_1_to_1200");

    CliRun copy =
        CliRun.of(
            "copy",
            "--source",
            other.url(),
            "--table",
            other.schema() + ".src",
            "--target",
            db.url(),
            "--target-table",
            db.schema() + ".from_other",
            "--create-target");

    assertThat(copy.exitCode()).as(copy.err()).isZero();
    assertThat(copy.err())
        .contains(
            "target table "
                + db.schema()
                + ".from_other created from SHOW CREATE TABLE "
                + other.schema()
                + ".src on the source");
    assertThat(copy.out()).contains("copied 1,200 rows").contains("streaming");
    // the versions of the two servers may print a definition differently: compare its parts
    assertThat(shape(db, "from_other")).isEqualTo(shape(other, "src")).isNotEmpty();
    assertThat(checksum(db, "from_other")).isEqualTo(checksum(other, "src"));
  }

  private static String tableCount(TestDatabase db, String table) {
    return "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
        + db.schema()
        + "' AND TABLE_NAME = '"
        + table
        + "'";
  }
}
