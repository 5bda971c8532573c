package dev.dray.db;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which tables a job reads, the way mydumper and MySQL Shell choose them: whole schemas, {@code
 * DB.TABLE} patterns ({@code *} any run of characters, {@code ?} one character; {@code _} and
 * {@code %} are plain characters), minus exclude patterns. Views match no pattern and no schema:
 * they are listed as skipped so the caller can say so.
 *
 * @param schemas every base table of these schemas
 * @param includes patterns of tables to take
 * @param excludes patterns of tables to leave out of what the schemas and includes chose
 */
public record TableSelection(List<String> schemas, List<String> includes, List<String> excludes) {
  /** The schemas no pattern with a wildcard in its schema part reaches. */
  private static final List<String> SYSTEM_SCHEMAS =
      List.of("mysql", "information_schema", "performance_schema", "sys");

  public TableSelection {
    schemas = List.copyOf(schemas == null ? List.of() : schemas);
    includes = List.copyOf(includes == null ? List.of() : includes);
    excludes = List.copyOf(excludes == null ? List.of() : excludes);
    for (String schema : schemas) {
      if (schema.isBlank() || schema.contains("*") || schema.contains("?")) {
        throw DrayException.usage(
            "--schema takes a schema name, not "
                + (schema.isBlank() ? "an empty one" : schema)
                + " (for patterns use --tables 'DB.T*')");
      }
    }
    includes.forEach(TableSelection::pattern);
    excludes.forEach(TableSelection::pattern);
  }

  /** Whether nothing is selected (no schema and no include pattern). */
  public boolean isEmpty() {
    return schemas.isEmpty() && includes.isEmpty();
  }

  /**
   * What the selection resolved to on a server.
   *
   * @param tables the base tables, in schema and name order
   * @param skippedViews views a schema or pattern reached, left out
   */
  public record Resolved(List<TableName> tables, List<TableName> skippedViews) {
    public Resolved {
      tables = List.copyOf(tables);
      skippedViews = List.copyOf(skippedViews);
    }
  }

  /** {@link #resolve(Connection)} over a connection of its own to {@code server}. */
  public Resolved resolve(ConnectionConfig server) {
    try (Connection connection = Connections.open(server)) {
      return resolve(connection);
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot list the tables of " + describe() + ": " + SqlErrors.describe(e),
          e);
    }
  }

  /**
   * Resolves the selection against the server's information_schema. A schema that does not exist,
   * or a selection that leaves no table, is a {@link ErrorCode#NOT_FOUND} error naming it.
   */
  public Resolved resolve(Connection connection) {
    requireNonNull(connection, "connection is null");
    try {
      List<Row> rows = rows(connection);
      Set<TableName> tables = new LinkedHashSet<>();
      Set<TableName> views = new LinkedHashSet<>();
      for (String schema : schemas) {
        List<Row> inSchema = rows.stream().filter(r -> r.name.schema().equals(schema)).toList();
        if (inSchema.isEmpty() && !schemaExists(connection, schema)) {
          throw new DrayException(
              ErrorCode.NOT_FOUND,
              "schema " + schema + " does not exist (or is not visible to this user)");
        }
        inSchema.forEach(r -> (r.view ? views : tables).add(r.name));
      }
      for (String include : includes) {
        List<Row> matching = rows.stream().filter(r -> matches(include, r.name)).toList();
        if (matching.isEmpty()) {
          throw new DrayException(
              ErrorCode.NOT_FOUND,
              "--tables " + include + " matches no table (or none visible to this user)");
        }
        matching.forEach(r -> (r.view ? views : tables).add(r.name));
      }
      tables.removeIf(this::excluded);
      views.removeIf(this::excluded);
      if (tables.isEmpty()) {
        throw new DrayException(
            ErrorCode.NOT_FOUND,
            "the selection "
                + describe()
                + " leaves no base table to read"
                + (views.isEmpty() ? "" : " (only views: " + views + ")"));
      }
      return new Resolved(List.copyOf(tables), List.copyOf(views));
    } catch (SQLException e) {
      throw new DrayException(
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
          "cannot list the tables of " + describe() + ": " + SqlErrors.describe(e),
          e);
    }
  }

  /** The selection as the user gave it, for messages. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    schemas.forEach(s -> parts.add("--schema " + s));
    includes.forEach(p -> parts.add("--tables " + p));
    excludes.forEach(p -> parts.add("--exclude-tables " + p));
    return String.join(" ", parts);
  }

  private boolean excluded(TableName name) {
    return excludes.stream().anyMatch(p -> matches(p, name));
  }

  /** Whether {@code name} matches the {@code DB.TABLE} glob. */
  static boolean matches(String pattern, TableName name) {
    TableName parsed = pattern(pattern);
    return glob(parsed.schema()).matcher(name.schema()).matches()
        && glob(parsed.table()).matcher(name.table()).matches();
  }

  private static TableName pattern(String pattern) {
    if (pattern == null || pattern.isBlank()) {
      throw DrayException.usage("an empty table pattern: give DB.TABLE, e.g. 'shop.order*'");
    }
    try {
      return TableName.parse(pattern);
    } catch (DrayException e) {
      throw DrayException.usage(
          "table pattern " + pattern + " must be DB.TABLE, e.g. 'shop.order*' or 'shop.*'");
    }
  }

  private static Pattern glob(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  private record Row(TableName name, boolean view) {}

  /** The tables and views of the schemas the selection can reach, in schema and name order. */
  private List<Row> rows(Connection connection) throws SQLException {
    Set<String> exact = new LinkedHashSet<>(schemas);
    boolean anySchema = false;
    for (String include : includes) {
      String schema = pattern(include).schema();
      if (schema.contains("*") || schema.contains("?")) {
        anySchema = true;
      } else {
        exact.add(schema);
      }
    }
    List<Row> rows = new ArrayList<>();
    String sql =
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE "
            + (anySchema
                ? "TABLE_SCHEMA NOT IN (?, ?, ?, ?)"
                : "TABLE_SCHEMA IN (" + String.join(", ", nCopies(exact.size())) + ")")
            + " ORDER BY TABLE_SCHEMA, TABLE_NAME";
    if (!anySchema && exact.isEmpty()) {
      return rows;
    }
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      List<String> parameters = anySchema ? SYSTEM_SCHEMAS : List.copyOf(exact);
      for (int i = 0; i < parameters.size(); i++) {
        ps.setString(i + 1, parameters.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String type = rs.getString(3);
          rows.add(
              new Row(
                  new TableName(rs.getString(1), rs.getString(2)),
                  type != null && type.toUpperCase(java.util.Locale.ROOT).contains("VIEW")));
        }
      }
    }
    return rows;
  }

  private static List<String> nCopies(int n) {
    return java.util.Collections.nCopies(n, "?");
  }

  private static boolean schemaExists(Connection connection, String schema) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
