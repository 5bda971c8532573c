package dev.dray.copy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the columns of a copy's target relate to the source's when the target is the source with an
 * ALTER applied ({@code dray alter}): renamed columns (a {@code CHANGE COLUMN old new}) are copied
 * under their new name, source columns the target lacks were dropped and are not copied, and type,
 * key and NULL differences are not refused up front: the copy's strict writes refuse the rows that
 * do not fit, naming the key and value.
 *
 * @param renamed source column name (lower case) to its name in the target
 */
public record ColumnMapping(Map<String, String> renamed) {
  public ColumnMapping {
    Map<String, String> lower = new LinkedHashMap<>();
    renamed.forEach((from, to) -> lower.put(from.toLowerCase(Locale.ROOT), to));
    renamed = Map.copyOf(lower);
  }

  /** The name of source column {@code source} in the target. */
  public String targetName(String source) {
    return renamed.getOrDefault(source.toLowerCase(Locale.ROOT), source);
  }

  /** Whether some source column is renamed to {@code target}. */
  public boolean isRenameTarget(String target) {
    return renamed.values().stream().anyMatch(t -> t.equalsIgnoreCase(target));
  }
}
