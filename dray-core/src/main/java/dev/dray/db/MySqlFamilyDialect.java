package dev.dray.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * What MariaDB and MySQL have in common: backtick quoting, LOCK TABLES, SHOW STATUS, MD5 row
 * checksums.
 */
abstract class MySqlFamilyDialect implements Dialect {
  private final String productName;

  MySqlFamilyDialect(String productName) {
    this.productName = productName;
  }

  @Override
  public String productName() {
    return productName;
  }

  @Override
  public String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  @Override
  public String skipLockedClause() {
    return "FOR UPDATE SKIP LOCKED";
  }

  @Override
  public void beginConsistentSnapshot(Connection connection) throws SQLException {
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      statement.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
    }
  }

  @Override
  public void useUtcSessionTimeZone(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET time_zone = '+00:00'");
    }
  }

  @Override
  public void lockTablesForRead(Connection connection, List<TableName> tables) throws SQLException {
    String list = tables.stream().map(t -> quote(t) + " READ").collect(Collectors.joining(", "));
    try (Statement statement = connection.createStatement()) {
      statement.execute("LOCK TABLES " + list);
    }
  }

  @Override
  public void unlockTables(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("UNLOCK TABLES");
    }
  }

  /**
   * Strict for every table (not only transactional ones), without NO_ZERO_DATE/NO_ZERO_IN_DATE so
   * that zero dates the source holds copy unchanged, and NO_AUTO_VALUE_ON_ZERO so that a row whose
   * AUTO_INCREMENT column is 0 keeps it (as mysqldump does).
   */
  @Override
  public void useStrictWrites(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'");
    }
  }

  @Override
  public TableConstraints constraints(Connection connection, TableName table) throws SQLException {
    Map<String, List<TableConstraints.KeyPart>> keys = new LinkedHashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0"
                + " ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object prefix = rs.getObject(3);
          keys.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
              .add(
                  new TableConstraints.KeyPart(
                      rs.getString(2), prefix == null ? -1 : ((Number) prefix).intValue()));
        }
      }
    }
    List<TableConstraints.UniqueKey> uniqueKeys = new ArrayList<>();
    keys.forEach((name, parts) -> uniqueKeys.add(new TableConstraints.UniqueKey(name, parts)));
    List<TableConstraints.CheckConstraint> checks = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(checkConstraintsQuery())) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          checks.add(new TableConstraints.CheckConstraint(rs.getString(1), rs.getString(2)));
        }
      }
    }
    Map<String, String> characterSets = new HashMap<>();
    Map<String, String> collations = new HashMap<>();
    String autoIncrement = null;
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT COLUMN_NAME, CHARACTER_SET_NAME, COLLATION_NAME, EXTRA LIKE '%auto_increment%'"
                + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
      ps.setString(1, table.schema());
      ps.setString(2, table.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String column = rs.getString(1).toLowerCase(Locale.ROOT);
          if (rs.getString(2) != null) {
            characterSets.put(column, rs.getString(2).toLowerCase(Locale.ROOT));
          }
          if (rs.getString(3) != null) {
            collations.put(column, rs.getString(3).toLowerCase(Locale.ROOT));
          }
          if (rs.getBoolean(4)) {
            autoIncrement = rs.getString(1);
          }
        }
      }
    }
    return new TableConstraints(uniqueKeys, checks, characterSets, collations, autoIncrement);
  }

  /** Selects (name, clause) of the table's enforced CHECK constraints; binds schema, table. */
  abstract String checkConstraintsQuery();

  @Override
  public boolean tryAdvisoryLock(Connection connection, String name) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) == 1;
      }
    }
  }

  @Override
  public boolean holdsAdvisoryLock(Connection connection, String name) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT IS_USED_LOCK(?) = CONNECTION_ID()")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) == 1;
      }
    }
  }

  @Override
  public Optional<String> advisoryLockHolder(Connection connection, String name)
      throws SQLException {
    long id;
    try (PreparedStatement ps = connection.prepareStatement("SELECT IS_USED_LOCK(?)")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getObject(1) == null) {
          return Optional.empty();
        }
        id = rs.getLong(1);
      }
    }
    // another account's session is visible only with the PROCESS privilege
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT HOST, USER FROM information_schema.PROCESSLIST WHERE ID = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return Optional.of(
              "connection " + id + " from " + rs.getString(1) + " as " + rs.getString(2));
        }
      }
    }
    return Optional.of("connection " + id);
  }

  @Override
  public void releaseAdvisoryLock(Connection connection, String name) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT RELEASE_LOCK(?)")) {
      ps.setString(1, name);
      ps.executeQuery().close();
    }
  }

  @Override
  public String checksumText(ColumnInfo column) {
    String quoted = quote(column.name());
    return switch (column.dataType()) {
      case "datetime", "timestamp" -> "DATE_FORMAT(" + quoted + ", '%Y-%m-%d %H:%i:%s.%f')";
      case "time" -> "TIME_FORMAT(" + quoted + ", '%H:%i:%s.%f')";
      case "decimal" -> "CAST(" + quoted + " AS DECIMAL(65, 30))";
      default -> quoted;
    };
  }

  /** {@code CONCAT_WS('|', CONCAT(ISNULL(a), ISNULL(b)), a, b)}: CONCAT_WS skips NULLs. */
  @Override
  public String checksumRowText(List<ColumnInfo> columns) {
    StringJoiner flags = new StringJoiner(", ", "CONCAT(", ")");
    StringBuilder values = new StringBuilder();
    for (ColumnInfo column : columns) {
      flags.add("ISNULL(" + quote(column.name()) + ")");
      values.append(", ").append(checksumText(column));
    }
    return "CONCAT_WS('|', " + flags + values + ")";
  }

  @Override
  public String rowHash(String text) {
    return "MD5(" + text + ")";
  }

  @Override
  public String rowHash64(String text) {
    return "CAST(CONV(LEFT(" + rowHash(text) + ", 16), 16, 10) AS UNSIGNED)";
  }

  @Override
  public String rowHashAggregates(String hash) {
    return "COUNT(*), COALESCE(SUM(" + hash + "), 0), COALESCE(BIT_XOR(" + hash + "), 0)";
  }

  @Override
  public long threadsRunning(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW GLOBAL STATUS LIKE 'Threads_running'")) {
      return rs.next() ? Long.parseLong(rs.getString(2)) : 0;
    }
  }

  @Override
  public java.util.Map<String, Long> globalStatus(
      Connection connection, java.util.Collection<String> names) throws SQLException {
    java.util.Map<String, Long> values = new java.util.LinkedHashMap<>();
    if (names.isEmpty()) {
      return values;
    }
    List<String> literals = new ArrayList<>();
    for (String name : names) {
      if (!name.matches("[A-Za-z0-9_]+")) {
        throw new IllegalArgumentException("not a status variable name: " + name);
      }
      literals.add("'" + name + "'");
    }
    // SHOW works on MySQL 8 (no information_schema.GLOBAL_STATUS) and MariaDB alike; the names
    // are checked above to be plain words, so they are safe as literals
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SHOW GLOBAL STATUS WHERE Variable_name IN ("
                    + String.join(", ", literals)
                    + ")")) {
      while (rs.next()) {
        String value = rs.getString(2);
        if (value != null && value.trim().matches("-?\\d+(\\.\\d*)?")) {
          values.put(rs.getString(1), (long) Double.parseDouble(value.trim()));
        }
      }
    }
    return values;
  }

  @Override
  public void createTableLike(Connection connection, TableName table, TableName like)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE " + quote(table) + " LIKE " + quote(like));
    }
  }

  @Override
  public String showCreateTable(Connection connection, TableName table) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW CREATE TABLE " + quote(table))) {
      if (!rs.next()) {
        throw new SQLException("SHOW CREATE TABLE " + table + " returned nothing");
      }
      return rs.getString(2);
    }
  }

  /** {@code CREATE TABLE `name`} (or {@code IF NOT EXISTS}) at the start of a statement. */
  private static final java.util.regex.Pattern CREATE_TABLE_NAME =
      java.util.regex.Pattern.compile(
          "^\\s*CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?(`(?:[^`]|``)+`(\\.`(?:[^`]|``)+`)?)",
          java.util.regex.Pattern.CASE_INSENSITIVE);

  @Override
  public void createTableFrom(Connection connection, TableName table, String createStatement)
      throws SQLException {
    java.util.regex.Matcher name = CREATE_TABLE_NAME.matcher(createStatement);
    if (!name.find()) {
      throw new SQLException(
          "not a CREATE TABLE statement with a quoted name: "
              + createStatement.substring(0, Math.min(60, createStatement.length())));
    }
    String statementText = "CREATE TABLE " + quote(table) + createStatement.substring(name.end());
    try (Statement statement = connection.createStatement()) {
      statement.execute(statementText);
    }
  }

  @Override
  public long replicaLagSeconds(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(replicaStatusStatement())) {
      if (!rs.next()) {
        return -1;
      }
      String lag = rs.getString(replicaLagColumn());
      return lag == null ? -1 : Long.parseLong(lag);
    }
  }

  abstract String replicaStatusStatement();

  abstract String replicaLagColumn();

  // --- binary log ---

  @Override
  public BinlogSettings binlogSettings(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image")) {
      rs.next();
      return new BinlogSettings(
          rs.getBoolean(1),
          rs.getString(2).toUpperCase(Locale.ROOT),
          rs.getString(3).toUpperCase(Locale.ROOT));
    }
  }

  @Override
  public Optional<BinlogPosition> currentBinlogPosition(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(binlogStatusStatement())) {
      if (!rs.next()) {
        return Optional.empty();
      }
      BinlogPosition position = new BinlogPosition(rs.getString(1), rs.getLong(2), null);
      return Optional.of(position.withGtid(gtidAt(connection, rs, position)));
    }
  }

  /** SHOW MASTER STATUS or its newer name. */
  abstract String binlogStatusStatement();

  /** The GTID state at {@code position} (status is the row of the status statement), or null. */
  abstract String gtidAt(Connection connection, ResultSet status, BinlogPosition position)
      throws SQLException;

  @Override
  public List<String> binaryLogFiles(Connection connection) throws SQLException {
    List<String> files = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW BINARY LOGS")) {
      while (rs.next()) {
        files.add(rs.getString(1));
      }
    }
    return files;
  }

  @Override
  public List<String> missingBinlogGrants(Connection connection) throws SQLException {
    Set<String> held = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE ="
                    + " CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',"
                    + " SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')")) {
      while (rs.next()) {
        held.add(rs.getString(1).toUpperCase(Locale.ROOT));
      }
    }
    return binlogGrants().stream().filter(g -> !held.contains(g)).toList();
  }

  /** The global grants a binlog reader needs, by this product's names. */
  abstract List<String> binlogGrants();

  @Override
  public String replaceRowsStatement(TableName table, List<String> columns, int rows) {
    String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
    return "REPLACE INTO "
        + quote(table)
        + " ("
        + quotedList(columns)
        + ") VALUES "
        + String.join(", ", Collections.nCopies(rows, row));
  }

  @Override
  public String deleteRowsStatement(TableName table, List<String> keyColumns, int rows) {
    String row = "(" + String.join(", ", Collections.nCopies(keyColumns.size(), "?")) + ")";
    return "DELETE FROM "
        + quote(table)
        + " WHERE ("
        + quotedList(keyColumns)
        + ") IN ("
        + String.join(", ", Collections.nCopies(rows, row))
        + ")";
  }

  private static final java.util.regex.Pattern DEFINITION_CHANGE =
      java.util.regex.Pattern.compile(
          "^\\s*(alter|drop|rename|truncate|create|optimize|repair)\\b.*",
          java.util.regex.Pattern.DOTALL);

  @Override
  public String tableOptions() {
    return "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  }

  @Override
  public String currentTimestamp() {
    return "NOW(6)";
  }

  @Override
  public String currentTimestampPlusMicros() {
    return "NOW(6) + INTERVAL ? MICROSECOND";
  }

  @Override
  public String insertSkippingDuplicatesInto() {
    return "INSERT IGNORE INTO";
  }

  @Override
  public String insertOrReplaceInto() {
    return "REPLACE INTO";
  }

  @Override
  public String serverIdentity(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT CONCAT_WS('|', @@hostname, @@port, @@datadir, @@server_id)")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public void keepExplicitZeroAutoIncrement(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')");
    }
  }

  @Override
  public long insertIntoEmptyTable(Connection c, String insert) throws SQLException {
    String uniqueChecks;
    String foreignKeyChecks;
    try (Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT @@SESSION.unique_checks, @@SESSION.foreign_key_checks")) {
      rs.next();
      uniqueChecks = rs.getLong(1) == 0 ? "0" : "1";
      foreignKeyChecks = rs.getLong(2) == 0 ? "0" : "1";
    }
    c.commit();
    Throwable failure = null;
    long rows = 0;
    try (Statement statement = c.createStatement()) {
      statement.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0");
      rows = statement.executeLargeUpdate(insert);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      failure = e;
      try {
        c.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
    }
    try (Statement statement = c.createStatement()) {
      statement.execute(
          "SET SESSION unique_checks = "
              + uniqueChecks
              + ", foreign_key_checks = "
              + foreignKeyChecks);
    } catch (SQLException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure instanceof SQLException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    return rows;
  }

  @Override
  public boolean changesTableDefinition(String statement, String database, TableName table) {
    String lower = statement.toLowerCase(Locale.ROOT).replace("`", "");
    if (!DEFINITION_CHANGE.matcher(lower).matches()) {
      return false;
    }
    java.util.regex.Pattern name =
        java.util.regex.Pattern.compile(
            "(^|[\\s,(.])"
                + java.util.regex.Pattern.quote(table.table().toLowerCase(Locale.ROOT))
                + "($|[\\s,;(])");
    return name.matcher(lower).find()
        && (lower.contains(table.schema().toLowerCase(Locale.ROOT) + ".")
            || table.schema().equalsIgnoreCase(database));
  }

  private static final Set<String> NUMERIC_TYPES =
      Set.of(
          "tinyint",
          "smallint",
          "mediumint",
          "int",
          "integer",
          "bigint",
          "decimal",
          "numeric",
          "float",
          "double",
          "real",
          "year");

  private static final Set<String> BINARY_TYPES =
      Set.of(
          "binary",
          "varbinary",
          "tinyblob",
          "blob",
          "mediumblob",
          "longblob",
          "bit",
          "geometry",
          "point",
          "linestring",
          "polygon",
          "multipoint",
          "multilinestring",
          "multipolygon",
          "geometrycollection");

  @Override
  public boolean readsAsBytes(ColumnInfo column) {
    return BINARY_TYPES.contains(column.dataType());
  }

  @Override
  public String literalSource(ColumnInfo column) {
    return column.dataType().equals("timestamp")
        ? "UNIX_TIMESTAMP(" + quote(column.name()) + ")"
        : quote(column.name());
  }

  @Override
  public String literal(ColumnInfo column, Object value) {
    if (value == null) {
      return "NULL";
    }
    if (column.dataType().equals("timestamp")
        && value instanceof String seconds
        && seconds.matches("[0-9]+(\\.[0-9]+)?")) {
      // an instant: FROM_UNIXTIME gives it in the session's zone, which stores it back exactly
      return "FROM_UNIXTIME(" + seconds + ")";
    }
    if (value instanceof byte[] bytes) {
      return bytes.length == 0 ? "''" : "X'" + java.util.HexFormat.of().formatHex(bytes) + "'";
    }
    String text = value.toString();
    if (NUMERIC_TYPES.contains(column.dataType())
        && text.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
      return text;
    }
    boolean plain =
        text.chars().allMatch(c -> c >= 0x20 && c != '\\' && c != '\'' && c != '"' && c != 0x7f);
    if (plain) {
      return "'" + text + "'";
    }
    return "CONVERT(X'"
        + java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        + "' USING utf8mb4)";
  }

  @Override
  public String replaceRowText(TableName table, List<String> columns, List<String> literals) {
    return "REPLACE INTO "
        + quote(table)
        + " ("
        + quotedList(columns)
        + ") VALUES ("
        + String.join(", ", literals)
        + ")";
  }

  @Override
  public String deleteRowText(TableName table, List<String> keyColumns, List<String> literals) {
    StringJoiner where = new StringJoiner(" AND ");
    for (int i = 0; i < keyColumns.size(); i++) {
      where.add(quote(keyColumns.get(i)) + " = " + literals.get(i));
    }
    return "DELETE FROM " + quote(table) + " WHERE " + where;
  }
}
