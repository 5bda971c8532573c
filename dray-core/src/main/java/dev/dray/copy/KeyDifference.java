package dev.dray.copy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One row that differs.
 *
 * @param key the key, as text ({@code 42} or {@code (7, abc)})
 * @param kind how it differs
 * @param keyValues the key's column values as the driver read them (for statements that fix the
 *     row; empty when unknown). Not part of equality or of reports: the text names the row.
 */
public record KeyDifference(String key, Kind kind, @JsonIgnore List<Object> keyValues) {
  public enum Kind {
    /** In the source, not in the target. */
    MISSING_IN_TARGET,
    /** In the target, not in the source. */
    EXTRA_IN_TARGET,
    /** In both, with different column values. */
    DIFFERENT
  }

  public KeyDifference {
    // values may be null (a NULL in a unique key): List.copyOf would refuse them
    keyValues =
        keyValues == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(keyValues));
  }

  public KeyDifference(String key, Kind kind) {
    this(key, kind, List.of());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyDifference that && key.equals(that.key) && kind == that.kind;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, kind);
  }

  @Override
  public String toString() {
    return "KeyDifference[key=" + key + ", kind=" + kind + "]";
  }
}
