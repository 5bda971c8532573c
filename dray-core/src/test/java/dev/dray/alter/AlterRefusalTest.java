package dev.dray.alter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.run.Cancellation;
import dev.dray.testing.BinlogServer;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every refusal of {@code dray alter}: one clear message, exit code 1 (2 for an alter that does not
 * apply), and the table exactly as it was, with no new table left behind.
 */
@Tag("binlog") // runs on its own binlog server (BinlogServer), the same in both CI passes
class AlterRefusalTest {
  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = BinlogServer.newDatabase("alter_refusal");
  }

  @Test
  void refusesATableWithoutAKey() {
    db.execute(
        "CREATE TABLE nokey (a INT NULL, b INT NULL)", "INSERT INTO nokey VALUES (1, 2), (3, 4)");
    refused(db, db.config(), "nokey", "ADD COLUMN c INT NULL", "has no primary key");
  }

  @Test
  void refusesForeignKeysToOrFromTheTable() {
    db.execute(
        "CREATE TABLE parent (id INT NOT NULL PRIMARY KEY)",
        "CREATE TABLE child (id INT NOT NULL PRIMARY KEY, parent_id INT NOT NULL,"
            + " CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES parent (id))",
        "INSERT INTO parent VALUES (1), (2)",
        "INSERT INTO child VALUES (10, 1), (20, 2)");
    refused(db, db.config(), "child", "ADD COLUMN c INT NULL", "fk_child_parent");
    refused(db, db.config(), "parent", "ADD COLUMN c INT NULL", "has foreign keys to or from it");
  }

  @Test
  void refusesTriggersOnTheTable() {
    db.execute(
        "CREATE TABLE triggered (id INT NOT NULL PRIMARY KEY, v INT NULL)",
        "INSERT INTO triggered VALUES (1, 1)",
        "CREATE TRIGGER triggered_bi BEFORE INSERT ON triggered FOR EACH ROW SET NEW.v = 0");
    refused(db, db.config(), "triggered", "ADD COLUMN c INT NULL", "triggered_bi");
  }

  @Test
  void refusesAnAlterThatRemovesOrRenamesTheWalkedKey() {
    db.execute(
        "CREATE TABLE keyed (id INT NOT NULL PRIMARY KEY, v INT NOT NULL)",
        "INSERT INTO keyed VALUES (1, 1), (2, 2)");
    refused(db, db.config(), "keyed", "DROP PRIMARY KEY", "changes the key the copy walks");
    refused(
        db,
        db.config(),
        "keyed",
        "DROP PRIMARY KEY, ADD PRIMARY KEY (v)",
        "changes the key the copy walks");
    refused(db, db.config(), "keyed", "CHANGE id ident INT NOT NULL", "renames key column id");
  }

  @Test
  void refusesWhenTheNewOrOldNameIsTaken() {
    db.execute(
        "CREATE TABLE taken (id INT NOT NULL PRIMARY KEY)",
        "INSERT INTO taken VALUES (1)",
        "CREATE TABLE _taken_new (x INT NULL)");
    refused(db, db.config(), "taken", "ADD COLUMN c INT NULL", "_taken_new exists");
    assertThat(db.queryLong("SELECT COUNT(*) FROM _taken_new")).isZero(); // not touched
    db.execute("DROP TABLE _taken_new", "CREATE TABLE _taken_old (x INT NULL)");
    refused(db, db.config(), "taken", "ADD COLUMN c INT NULL", "_taken_old exists");
  }

  @Test
  void refusesAnAlterThatDoesNotApplyOrAddsARequiredColumnWithoutDefault() {
    db.execute(
        "CREATE TABLE plain (id INT NOT NULL PRIMARY KEY, v INT NULL)",
        "INSERT INTO plain VALUES (1, 1)");
    DrayException bad = refused(db, db.config(), "plain", "ADD COLUMN", "the alter does not apply");
    assertThat(bad.code()).isEqualTo(ErrorCode.USAGE);
    refused(db, db.config(), "plain", "ADD COLUMN c INT NOT NULL", "without a DEFAULT");
  }

  @Test
  void refusesStatementFormatAndMinimalRowImages() throws Exception {
    db.execute(
        "CREATE TABLE formatted (id INT NOT NULL PRIMARY KEY)", "INSERT INTO formatted VALUES (1)");
    try (Connection connection = Connections.open(db.config());
        Statement statement = connection.createStatement()) {
      try {
        statement.execute("SET GLOBAL binlog_format = 'STATEMENT'");
        refused(db, db.config(), "formatted", "ADD COLUMN c INT NULL", "not ROW");
        statement.execute("SET GLOBAL binlog_format = 'ROW'");
        statement.execute("SET GLOBAL binlog_row_image = 'MINIMAL'");
        refused(db, db.config(), "formatted", "ADD COLUMN c INT NULL", "not FULL");
      } finally {
        statement.execute("SET GLOBAL binlog_format = 'ROW'");
        statement.execute("SET GLOBAL binlog_row_image = 'FULL'");
      }
    }
  }

  @Test
  void refusesAUserWithoutReplicationGrants() {
    db.execute(
        "CREATE USER IF NOT EXISTS 'dray_alter_norepl'@'%' IDENTIFIED BY 'Alter-No-Repl-1'",
        "GRANT ALL ON `" + db.schema() + "`.* TO 'dray_alter_norepl'@'%'",
        "CREATE TABLE granted (id INT NOT NULL PRIMARY KEY)",
        "INSERT INTO granted VALUES (1)");
    ConnectionConfig user =
        db.config().withUser("dray_alter_norepl").withPassword("Alter-No-Repl-1");
    refused(db, user, "granted", "ADD COLUMN c INT NULL", "lacks the grant");
  }

  static DrayException refused(
      TestDatabase db, ConnectionConfig config, String table, String spec, String message) {
    String before = showCreate(db, table);
    List<List<Object>> rows = db.query("SELECT * FROM " + table + " ORDER BY 1");
    DrayException[] thrown = new DrayException[1];
    assertThatThrownBy(
            () ->
                AlterJob.builder()
                    .source(config)
                    .table(db.table(table))
                    .alter(spec)
                    .build()
                    .run(new Cancellation(), AlterListener.NONE))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining(message)
        .satisfies(e -> thrown[0] = (DrayException) e);
    assertThat(thrown[0].code().exitCode()).isIn(1, 2);
    assertThat(thrown[0].getMessage()).doesNotContain("\n");
    assertThat(showCreate(db, table)).isEqualTo(before);
    assertThat(db.query("SELECT * FROM " + table + " ORDER BY 1")).isEqualTo(rows);
    assertThat(
            db.queryLong(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                    + db.schema()
                    + "' AND TABLE_NAME = '_"
                    + table
                    + "_new'"))
        .as("no new table left")
        .isEqualTo(message.contains("_new exists") ? 1 : 0);
    return thrown[0];
  }

  private static String showCreate(TestDatabase db, String table) {
    try (Connection connection = Connections.open(db.config())) {
      return String.valueOf(db.query("SHOW CREATE TABLE " + table).get(0).get(1));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
