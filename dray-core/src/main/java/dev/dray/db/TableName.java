package dev.dray.db;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import java.util.ArrayList;
import java.util.List;

/**
 * A schema-qualified table name, unquoted. Parsed from {@code db.table}; either part may be quoted
 * with backticks to hold dots, dashes or backticks (doubled): {@code `my.db`.`odd``name`}.
 */
public record TableName(String schema, String table) {
  public TableName {
    requireNonNull(schema, "schema is null");
    requireNonNull(table, "table is null");
    if (schema.isEmpty() || table.isEmpty()) {
      throw DrayException.usage("empty schema or table name");
    }
  }

  /** Parses {@code db.table}; without a schema part, {@code defaultSchema} is used. */
  public static TableName parse(String text, String defaultSchema) {
    List<String> parts = splitQualified(requireNonNull(text, "text is null").trim());
    if (parts.size() == 2) {
      return new TableName(parts.get(0), parts.get(1));
    }
    if (parts.size() == 1 && defaultSchema != null && !defaultSchema.isEmpty()) {
      return new TableName(defaultSchema, parts.get(0));
    }
    throw DrayException.usage(
        "table must be given as DB.TABLE (quote parts holding dots with backticks): " + text);
  }

  public static TableName parse(String text) {
    return parse(text, null);
  }

  public TableName withTable(String newTable) {
    return new TableName(schema, newTable);
  }

  /**
   * The name as text that {@link #parse(String)} reads back exactly, each part backtick-quoted (so
   * dots and backticks in names survive): for storing a name, not for SQL.
   */
  public String toQualifiedText() {
    return "`" + schema.replace("`", "``") + "`.`" + table.replace("`", "``") + "`";
  }

  @Override
  public String toString() {
    return schema + "." + table;
  }

  private static List<String> splitQualified(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '`') {
        if (quoted && i + 1 < text.length() && text.charAt(i + 1) == '`') {
          current.append('`');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == '.' && !quoted) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    if (quoted) {
      throw DrayException.usage("unbalanced backtick in table name: " + text);
    }
    parts.add(current.toString());
    if (parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
      throw DrayException.usage("table must be given as DB.TABLE: " + text);
    }
    return parts;
  }
}
