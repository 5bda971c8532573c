package dev.dray.copy;

/**
 * One row that differs.
 *
 * @param key the key, as text ({@code 42} or {@code (7, abc)})
 * @param kind how it differs
 */
public record KeyDifference(String key, Kind kind) {
  public enum Kind {
    /** In the source, not in the target. */
    MISSING_IN_TARGET,
    /** In the target, not in the source. */
    EXTRA_IN_TARGET,
    /** In both, with different column values. */
    DIFFERENT
  }
}
