package dev.dray.plan;

import dev.dray.db.Dialect;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds WHERE conditions for key ranges. Composite keys are compared lexicographically, spelled
 * out as ORs of equalities (not row constructors, which MariaDB's range optimizer does not use),
 * with a redundant bound on the first key column so the range scan starts and stops in the right
 * place.
 */
public final class KeyPredicates {
  private KeyPredicates() {}

  /** The condition {@code lower <= key < upper}; {@link SqlFragment#TRUE} for the whole range. */
  public static SqlFragment range(Dialect dialect, List<String> keyColumns, KeyRange range) {
    List<String> parts = new ArrayList<>();
    List<Object> parameters = new ArrayList<>();
    if (range.lower() != null) {
      SqlFragment lower = compare(dialect, keyColumns, range.lower(), ">", true);
      parts.add(lower.sql());
      parameters.addAll(lower.parameters());
    }
    if (range.upper() != null) {
      SqlFragment upper = compare(dialect, keyColumns, range.upper(), "<", false);
      parts.add(upper.sql());
      parameters.addAll(upper.parameters());
    }
    if (parts.isEmpty()) {
      return SqlFragment.TRUE;
    }
    return new SqlFragment(String.join(" AND ", parts), parameters);
  }

  /** The condition {@code key > values} (strictly after), for keyset paging. */
  public static SqlFragment after(Dialect dialect, List<String> keyColumns, List<Object> values) {
    return compare(dialect, keyColumns, values, ">", false);
  }

  /**
   * {@code key OP values} lexicographically, where OP is {@code >} or {@code <}; with {@code
   * orEqual} the full-equality case is included.
   */
  static SqlFragment compare(
      Dialect dialect, List<String> keyColumns, List<Object> values, String op, boolean orEqual) {
    if (values.size() != keyColumns.size()) {
      throw new IllegalArgumentException(
          "bound has " + values.size() + " values for " + keyColumns.size() + " key columns");
    }
    List<Object> parameters = new ArrayList<>();
    String first = dialect.quote(keyColumns.get(0));
    if (keyColumns.size() == 1) {
      parameters.add(values.get(0));
      return new SqlFragment(first + " " + op + (orEqual ? "=" : "") + " ?", parameters);
    }
    StringBuilder sql = new StringBuilder("(");
    // leading-column bound, so the optimizer can use a range scan on the key
    sql.append(first).append(' ').append(op).append("= ?");
    parameters.add(values.get(0));
    sql.append(" AND (");
    for (int i = 0; i < keyColumns.size(); i++) {
      boolean last = i == keyColumns.size() - 1;
      sql.append(i == 0 ? "" : " OR ").append('(');
      for (int j = 0; j < i; j++) {
        sql.append(dialect.quote(keyColumns.get(j))).append(" = ? AND ");
        parameters.add(values.get(j));
      }
      sql.append(dialect.quote(keyColumns.get(i)))
          .append(' ')
          .append(op)
          .append(last && orEqual ? "=" : "")
          .append(" ?");
      parameters.add(values.get(i));
      sql.append(')');
    }
    sql.append("))");
    return new SqlFragment(sql.toString(), parameters);
  }
}
