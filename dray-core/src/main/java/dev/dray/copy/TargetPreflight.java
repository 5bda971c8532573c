package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ColumnInfo;
import dev.dray.db.TableConstraints;
import dev.dray.db.TableConstraints.CheckConstraint;
import dev.dray.db.TableConstraints.KeyPart;
import dev.dray.db.TableConstraints.UniqueKey;
import dev.dray.db.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the target enforces that could refuse, drop or change a source row, checked before any row
 * moves: a unique key the source's keys do not imply (two source rows could share its value), a
 * CHECK constraint the source lacks, a text column whose character set cannot hold every source
 * character, and NOT NULL where the source allows NULL. The copy's writes are strict as well (see
 * {@link dev.dray.db.Dialect#useStrictWrites}), so whatever slips past this check fails its chunk
 * instead of changing rows; this check says so before anything is written.
 */
final class TargetPreflight {
  /** Character sets that hold every Unicode character. */
  private static final Set<String> UNICODE = Set.of("utf8mb4", "utf16", "utf16le", "utf32");

  /** Character sets that hold every character of the Basic Multilingual Plane. */
  private static final Set<String> BMP = Set.of("utf8", "utf8mb3", "ucs2");

  private TargetPreflight() {}

  /** Refuses with {@link ErrorCode#UNSUPPORTED_SCHEMA} naming every problem; else returns. */
  static void check(
      TableInfo source,
      TableConstraints sourceConstraints,
      TableInfo target,
      TableConstraints targetConstraints,
      CopyColumns columns) {
    List<String> problems = problems(source, sourceConstraints, target, targetConstraints, columns);
    if (!problems.isEmpty()) {
      throw new DrayException(
          ErrorCode.UNSUPPORTED_SCHEMA,
          "cannot copy "
              + source.name()
              + " into "
              + target.name()
              + " without losing or changing rows: "
              + String.join("; ", problems)
              + "; change the target table (nothing was written)");
    }
  }

  static List<String> problems(
      TableInfo source,
      TableConstraints sourceConstraints,
      TableInfo target,
      TableConstraints targetConstraints,
      CopyColumns columns) {
    List<String> problems = new ArrayList<>();
    for (UniqueKey key : targetConstraints.uniqueKeys()) {
      uniqueKeyProblem(key, sourceConstraints, targetConstraints, columns).ifPresent(problems::add);
    }
    for (CheckConstraint check : targetConstraints.checks()) {
      boolean sourceHasIt =
          sourceConstraints.checks().stream()
              .anyMatch(c -> normalize(c.clause()).equals(normalize(check.clause())));
      if (!sourceHasIt) {
        problems.add(
            "target CHECK constraint "
                + check.name()
                + " ("
                + check.clause()
                + ") is not one of the source's, so source rows may fail it");
      }
    }
    for (String name : columns.names()) {
      ColumnInfo from = source.column(name).orElseThrow();
      ColumnInfo to = target.column(name).orElseThrow();
      if (from.nullable() && !to.nullable()) {
        problems.add(
            "target column "
                + to.name()
                + " is NOT NULL but the source column allows NULL (a NULL would fail or become a"
                + " default value)");
      }
      Optional<String> fromSet = sourceConstraints.characterSet(name);
      Optional<String> toSet = targetConstraints.characterSet(name);
      if (fromSet.isPresent() && toSet.isPresent() && !holdsAll(toSet.get(), fromSet.get())) {
        problems.add(
            "target column "
                + to.name()
                + " has character set "
                + toSet.get()
                + ", which cannot hold every "
                + fromSet.get()
                + " character of the source (they would become '?')");
      }
    }
    return problems;
  }

  /**
   * Why a target unique key may see two source rows with one value, or empty when a source unique
   * key implies it: its columns are among the target key's (compared in the same collation, with a
   * prefix no longer than the target's), or the target key holds an AUTO_INCREMENT column the copy
   * leaves to the target.
   */
  private static Optional<String> uniqueKeyProblem(
      UniqueKey key,
      TableConstraints sourceConstraints,
      TableConstraints targetConstraints,
      CopyColumns columns) {
    Optional<String> generatedByTarget =
        targetConstraints
            .autoIncrement()
            .filter(c -> columns.names().stream().noneMatch(n -> n.equalsIgnoreCase(c)));
    if (generatedByTarget.isPresent()
        && key.parts().stream()
            .anyMatch(p -> p.column().equalsIgnoreCase(generatedByTarget.get()))) {
      return Optional.empty(); // every inserted row gets a new value
    }
    for (UniqueKey sourceKey : sourceConstraints.uniqueKeys()) {
      if (implies(sourceKey, key, sourceConstraints, targetConstraints, columns)) {
        return Optional.empty();
      }
    }
    return Optional.of(
        "target unique key "
            + key
            + " is not implied by any unique key of the source (the source's keys: "
            + (sourceConstraints.uniqueKeys().isEmpty()
                ? "none"
                : String.join(
                    ", ",
                    sourceConstraints.uniqueKeys().stream().map(UniqueKey::toString).toList()))
            + "), so two source rows may share its value and one would be lost");
  }

  /**
   * Whether two rows distinct in {@code sourceKey} are distinct in {@code targetKey}: every source
   * key column is a copied column of the target key, with the same collation and a prefix at most
   * as long. (A row with NULL in a key column conflicts with none, on either side.)
   */
  private static boolean implies(
      UniqueKey sourceKey,
      UniqueKey targetKey,
      TableConstraints sourceConstraints,
      TableConstraints targetConstraints,
      CopyColumns columns) {
    for (KeyPart sourcePart : sourceKey.parts()) {
      boolean covered = false;
      for (KeyPart targetPart : targetKey.parts()) {
        if (!targetPart.column().equalsIgnoreCase(sourcePart.column())
            || columns.names().stream().noneMatch(n -> n.equalsIgnoreCase(sourcePart.column()))) {
          continue;
        }
        boolean prefixFits =
            sourcePart.prefixLength() >= 0
                    && (targetPart.prefixLength() < 0
                        || sourcePart.prefixLength() <= targetPart.prefixLength())
                || sourcePart.prefixLength() < 0 && targetPart.prefixLength() < 0;
        boolean sameCollation =
            sourceConstraints
                .collation(sourcePart.column())
                .equals(targetConstraints.collation(targetPart.column()));
        if (prefixFits && sameCollation) {
          covered = true;
          break;
        }
      }
      if (!covered) {
        return false;
      }
    }
    return true;
  }

  /** Whether every character of {@code from} exists in {@code to}. */
  static boolean holdsAll(String to, String from) {
    if (to.equals(from) || from.equals("ascii") || from.equals("binary")) {
      return true;
    }
    if (UNICODE.contains(to)) {
      return true;
    }
    return BMP.contains(to) && !UNICODE.contains(from);
  }

  private static String normalize(String clause) {
    return clause == null ? "" : clause.replaceAll("\\s+", " ").trim().toLowerCase(Locale.ROOT);
  }
}
