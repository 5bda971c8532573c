package dev.dray.plan;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** A piece of SQL with {@code ?} placeholders and the values to bind to them, in order. */
public record SqlFragment(String sql, List<Object> parameters) {
  public static final SqlFragment TRUE = new SqlFragment("1=1", List.of());

  public SqlFragment {
    parameters = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(parameters));
  }

  /** Binds the parameters starting at {@code firstIndex}; returns the next free index. */
  public int bind(PreparedStatement statement, int firstIndex) throws SQLException {
    int index = firstIndex;
    for (Object value : parameters) {
      statement.setObject(index++, value);
    }
    return index;
  }
}
