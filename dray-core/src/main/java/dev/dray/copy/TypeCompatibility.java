package dev.dray.copy;

import dev.dray.db.ColumnInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether every value of a source column fits a target column unchanged. Conservative: a type of
 * another family, a narrower integer, a shorter string, fewer decimal or fractional digits, a
 * signed-to-unsigned change or a missing enum value is refused before any row moves, because the
 * server would truncate or reject rows half way through the copy.
 */
final class TypeCompatibility {
  private static final Map<String, Integer> INTEGER_BYTES =
      Map.of("tinyint", 1, "smallint", 2, "mediumint", 3, "int", 4, "integer", 4, "bigint", 8);
  private static final Set<String> STRINGS =
      Set.of("char", "varchar", "tinytext", "text", "mediumtext", "longtext");
  private static final Set<String> BINARIES =
      Set.of("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob");
  private static final Set<String> FRACTIONAL = Set.of("datetime", "timestamp", "time");

  private TypeCompatibility() {}

  /** Why {@code target} cannot hold every value of {@code source}, or empty when it can. */
  static Optional<String> problem(ColumnInfo source, ColumnInfo target) {
    String from = source.dataType();
    String to = target.dataType();
    if (source.columnType().equals(target.columnType())) {
      return Optional.empty();
    }
    if (INTEGER_BYTES.containsKey(from) && INTEGER_BYTES.containsKey(to)) {
      int fromBytes = INTEGER_BYTES.get(from);
      int toBytes = INTEGER_BYTES.get(to);
      if (!source.unsigned() && target.unsigned()) {
        return refuse(source, target, "signed values do not fit an unsigned column");
      }
      boolean fits =
          source.unsigned() == target.unsigned() ? toBytes >= fromBytes : toBytes > fromBytes;
      return fits ? Optional.empty() : refuse(source, target, "values would be truncated");
    }
    if (from.equals("decimal") && to.equals("decimal")) {
      boolean fits =
          target.scale() >= source.scale()
              && target.precision() - target.scale() >= source.precision() - source.scale()
              && (source.unsigned() || !target.unsigned());
      return fits ? Optional.empty() : refuse(source, target, "digits would be lost");
    }
    if (INTEGER_BYTES.containsKey(from) && to.equals("decimal")) {
      int digits = INTEGER_BYTES.get(from) >= 8 ? 20 : INTEGER_BYTES.get(from) * 3;
      boolean fits =
          target.precision() - target.scale() >= digits
              && (source.unsigned() || !target.unsigned());
      return fits ? Optional.empty() : refuse(source, target, "values would be truncated");
    }
    if ((from.equals("float") || from.equals("double"))
        && (to.equals("float") || to.equals("double"))) {
      return from.equals("double") && to.equals("float")
          ? refuse(source, target, "precision would be lost")
          : Optional.empty();
    }
    if (STRINGS.contains(from) && STRINGS.contains(to)
        || BINARIES.contains(from) && BINARIES.contains(to)) {
      return target.maxLength() >= source.maxLength()
          ? Optional.empty()
          : refuse(source, target, "values would be truncated");
    }
    if (FRACTIONAL.contains(from) && from.equals(to)) {
      return target.fractionalDigits() >= source.fractionalDigits()
          ? Optional.empty()
          : refuse(source, target, "fractional seconds would be lost");
    }
    if ((from.equals("enum") && to.equals("enum")) || (from.equals("set") && to.equals("set"))) {
      List<String> missing = new ArrayList<>(members(source.columnType()));
      missing.removeAll(members(target.columnType()));
      return missing.isEmpty()
          ? Optional.empty()
          : refuse(source, target, "values " + missing + " are missing");
    }
    if (from.equals("bit") && to.equals("bit")) {
      return target.precision() >= source.precision()
          ? Optional.empty()
          : refuse(source, target, "bits would be lost");
    }
    if (from.equals(to)) {
      return Optional.empty();
    }
    return refuse(source, target, "the types differ");
  }

  private static Optional<String> refuse(ColumnInfo source, ColumnInfo target, String why) {
    return Optional.of(
        "column "
            + source.name()
            + ": target type "
            + target.columnType()
            + " cannot hold source type "
            + source.columnType()
            + " ("
            + why
            + ")");
  }

  /** The quoted members of {@code enum('a','b')} or {@code set(...)}. */
  static List<String> members(String columnType) {
    List<String> members = new ArrayList<>();
    int open = columnType.indexOf('(');
    StringBuilder current = null;
    for (int i = open + 1; i < columnType.length(); i++) {
      char c = columnType.charAt(i);
      if (current == null) {
        if (c == '\'') {
          current = new StringBuilder();
        }
      } else if (c == '\'') {
        if (i + 1 < columnType.length() && columnType.charAt(i + 1) == '\'') {
          current.append('\'');
          i++;
        } else {
          members.add(current.toString());
          current = null;
        }
      } else {
        current.append(c);
      }
    }
    return members;
  }
}
