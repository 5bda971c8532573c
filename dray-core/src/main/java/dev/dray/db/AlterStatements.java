package dev.dray.db;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The MySQL-family statements of an online schema change ({@code dray alter}): the new table, its
 * shape (read with SHOW statements, which also see temporary tables), what refuses an alter
 * (foreign keys, triggers), and the cut-over's lock, RENAME and KILL QUERY.
 */
public final class AlterStatements {
  private final Dialect dialect;

  public AlterStatements(Dialect dialect) {
    this.dialect = requireNonNull(dialect, "dialect is null");
  }

  /** A column as SHOW COLUMNS gives it. */
  public record ShownColumn(String name, boolean nullable, boolean hasDefault, boolean generated) {}

  /** A unique index as SHOW INDEX gives it, columns in index order. */
  public record ShownKey(String name, List<String> columns) {
    public boolean primary() {
      return name.equals("PRIMARY");
    }
  }

  /** {@code CREATE [TEMPORARY] TABLE created LIKE like}. */
  public void createLike(
      Connection connection, TableName created, TableName like, boolean temporary)
      throws SQLException {
    execute(
        connection,
        "CREATE "
            + (temporary ? "TEMPORARY " : "")
            + "TABLE "
            + dialect.quote(created)
            + " LIKE "
            + dialect.quote(like));
  }

  /** {@code ALTER TABLE table <spec>}: the user's alter specification, as given. */
  public void alter(Connection connection, TableName table, String spec) throws SQLException {
    execute(connection, "ALTER TABLE " + dialect.quote(table) + " " + spec);
  }

  public void drop(Connection connection, TableName table, boolean temporary) throws SQLException {
    execute(
        connection,
        "DROP " + (temporary ? "TEMPORARY " : "") + "TABLE IF EXISTS " + dialect.quote(table));
  }

  public String showCreate(Connection connection, TableName table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW CREATE TABLE " + dialect.quote(table))) {
      rs.next();
      return rs.getString(2);
    }
  }

  public List<ShownColumn> columns(Connection connection, TableName table) throws SQLException {
    List<ShownColumn> columns = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW COLUMNS FROM " + dialect.quote(table))) {
      while (rs.next()) {
        String extra = String.valueOf(rs.getString("Extra")).toLowerCase(Locale.ROOT);
        columns.add(
            new ShownColumn(
                rs.getString("Field"),
                "YES".equalsIgnoreCase(rs.getString("Null")),
                rs.getString("Default") != null
                    || extra.contains("auto_increment")
                    || "YES".equalsIgnoreCase(rs.getString("Null")),
                extra.contains("generated")
                    || extra.contains("virtual")
                    || extra.contains("stored")));
      }
    }
    return columns;
  }

  /** Unique indexes, PRIMARY first, then by name (the order the key of a copy is chosen in). */
  public List<ShownKey> uniqueKeys(Connection connection, TableName table) throws SQLException {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW INDEX FROM " + dialect.quote(table))) {
      while (rs.next()) {
        if (rs.getInt("Non_unique") == 0) {
          keys.computeIfAbsent(rs.getString("Key_name"), k -> new ArrayList<>())
              .add(rs.getString("Column_name"));
        }
      }
    }
    List<ShownKey> result = new ArrayList<>();
    keys.forEach((name, columns) -> result.add(new ShownKey(name, List.copyOf(columns))));
    result.sort(
        (a, b) ->
            a.primary() != b.primary() ? (a.primary() ? -1 : 1) : a.name().compareTo(b.name()));
    return result;
  }

  /** Foreign keys from {@code table} to others and from others to it, as "child -> parent". */
  public List<String> foreignKeys(Connection connection, TableName table) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT CONSTRAINT_NAME, CONSTRAINT_SCHEMA, TABLE_NAME, UNIQUE_CONSTRAINT_SCHEMA,"
                + " REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS"
                + " WHERE (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?)"
                + " OR (UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?)"
                + " ORDER BY CONSTRAINT_NAME")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      ps.setString(3, table.schema());
      ps.setString(4, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(
              rs.getString(1)
                  + " ("
                  + rs.getString(2)
                  + "."
                  + rs.getString(3)
                  + " -> "
                  + rs.getString(4)
                  + "."
                  + rs.getString(5)
                  + ")");
        }
      }
    }
    return keys;
  }

  public List<String> triggers(Connection connection, TableName table) throws SQLException {
    List<String> triggers = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS"
                + " WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          triggers.add(rs.getString(1));
        }
      }
    }
    return triggers;
  }

  /** The table's comment, or null when it does not exist. */
  public String comment(Connection connection, TableName table) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT TABLE_COMMENT FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? String.valueOf(rs.getString(1)) : null;
      }
    }
  }

  /** The table's next AUTO_INCREMENT value, or 0 when it has none. */
  public long autoIncrement(Connection connection, TableName table) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT AUTO_INCREMENT FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  public void setAutoIncrement(Connection connection, TableName table, long next)
      throws SQLException {
    execute(connection, "ALTER TABLE " + dialect.quote(table) + " AUTO_INCREMENT = " + next);
  }

  /** The session's wait for metadata locks (LOCK TABLES, RENAME), in whole seconds, at least 1. */
  public void lockWaitTimeout(Connection connection, Duration timeout) throws SQLException {
    long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
    execute(connection, "SET SESSION lock_wait_timeout = " + seconds);
  }

  public void lockForWrite(Connection connection, List<TableName> tables) throws SQLException {
    StringBuilder sql = new StringBuilder("LOCK TABLES ");
    for (int i = 0; i < tables.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append(dialect.quote(tables.get(i))).append(" WRITE");
    }
    execute(connection, sql.toString());
  }

  /** {@code RENAME TABLE a TO b, c TO d}: one atomic statement. */
  public void rename(Connection connection, TableName a, TableName b, TableName c, TableName d)
      throws SQLException {
    execute(
        connection,
        "RENAME TABLE "
            + dialect.quote(a)
            + " TO "
            + dialect.quote(b)
            + (c == null ? "" : ", " + dialect.quote(c) + " TO " + dialect.quote(d)));
  }

  /** Stops the statement session {@code id} runs (the session stays). */
  public void killQuery(Connection connection, long id) throws SQLException {
    execute(connection, "KILL QUERY " + id);
  }

  public long connectionId(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT CONNECTION_ID()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Whether another session holds an exclusive metadata lock on the name {@code table} (a table
   * that does not exist): a probe that waits for nothing. A RENAME takes its names' locks in name
   * order, so once it holds {@code _T_old} its only remaining request is the one for {@code T}.
   * Uses {@code lock_wait_timeout = 0} (MariaDB; MySQL's least is 1 s) on the probe session.
   */
  public boolean nameLockedByOther(Connection probe, TableName table) throws SQLException {
    execute(probe, "SET SESSION lock_wait_timeout = 0");
    try (Statement statement = probe.createStatement();
        ResultSet rs =
            statement.executeQuery("SELECT 1 FROM " + dialect.quote(table) + " LIMIT 0")) {
      return false; // the table exists and nobody holds it
    } catch (SQLException e) {
      if (e.getErrorCode() == SqlErrors.ER_LOCK_WAIT_TIMEOUT) {
        return true;
      }
      if (e.getErrorCode() == SqlErrors.ER_NO_SUCH_TABLE) {
        return false;
      }
      throw e;
    }
  }

  /** Whether session {@code id} runs a RENAME that waits for a metadata lock. */
  public boolean renameWaiting(Connection connection, long id) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?"
                + " AND STATE LIKE '%metadata lock%' AND INFO LIKE 'RENAME%'")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  /**
   * A value of {@code columns} that two rows of {@code table} share (all non-NULL), or null: what a
   * new UNIQUE key over these columns would refuse.
   */
  public List<Object> duplicate(Connection connection, TableName table, List<String> columns)
      throws SQLException {
    String list = dialect.quotedList(columns);
    StringBuilder where = new StringBuilder();
    for (String column : columns) {
      where.append(where.length() == 0 ? " WHERE " : " AND ");
      where.append(dialect.quote(column)).append(" IS NOT NULL");
    }
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT "
                    + list
                    + " FROM "
                    + dialect.quote(table)
                    + where
                    + " GROUP BY "
                    + list
                    + " HAVING COUNT(*) > 1 LIMIT 1")) {
      if (!rs.next()) {
        return null;
      }
      List<Object> value = new ArrayList<>();
      for (int i = 1; i <= columns.size(); i++) {
        value.add(rs.getString(i));
      }
      return value;
    }
  }

  public long count(Connection connection, TableName table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + dialect.quote(table))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
