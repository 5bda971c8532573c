package dev.dray.db;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a table enforces on the rows written into it beyond the column types: its unique keys, its
 * CHECK constraints and the character set of each text column. A copy compares the target's with
 * the source's before it starts, so that no row is refused, dropped or changed half way through.
 *
 * @param uniqueKeys the primary key and every unique index
 * @param checks the enforced CHECK constraints
 * @param characterSets the character set of each text column (char, varchar, text, enum, set), by
 *     lower-case column name
 * @param collations the collation of each text column, by lower-case column name
 * @param autoIncrementColumn the AUTO_INCREMENT column, or null
 */
public record TableConstraints(
    List<UniqueKey> uniqueKeys,
    List<CheckConstraint> checks,
    Map<String, String> characterSets,
    Map<String, String> collations,
    String autoIncrementColumn) {
  public TableConstraints {
    uniqueKeys = List.copyOf(uniqueKeys);
    checks = List.copyOf(checks);
    characterSets = Map.copyOf(characterSets);
    collations = Map.copyOf(collations);
  }

  public Optional<String> autoIncrement() {
    return Optional.ofNullable(autoIncrementColumn);
  }

  /** The character set of a text column, or empty for other columns. */
  public Optional<String> characterSet(String column) {
    return Optional.ofNullable(characterSets.get(column.toLowerCase(Locale.ROOT)));
  }

  /** The collation of a text column, or empty for other columns. */
  public Optional<String> collation(String column) {
    return Optional.ofNullable(collations.get(column.toLowerCase(Locale.ROOT)));
  }

  /**
   * One column of an index.
   *
   * @param column the column name
   * @param prefixLength the indexed prefix in characters (or bytes), or -1 for the whole value
   */
  public record KeyPart(String column, int prefixLength) {
    @Override
    public String toString() {
      return prefixLength < 0 ? column : column + "(" + prefixLength + ")";
    }
  }

  /**
   * A primary key or unique index.
   *
   * @param name the index name ({@code PRIMARY} for the primary key)
   * @param parts its columns in index order
   */
  public record UniqueKey(String name, List<KeyPart> parts) {
    public UniqueKey {
      parts = List.copyOf(parts);
    }

    @Override
    public String toString() {
      return name + " (" + String.join(", ", parts.stream().map(KeyPart::toString).toList()) + ")";
    }
  }

  /**
   * A CHECK constraint.
   *
   * @param name its name (on MariaDB a column-level check is named after its column)
   * @param clause the condition as the server prints it
   */
  public record CheckConstraint(String name, String clause) {}
}
