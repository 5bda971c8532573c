package dev.dray.db;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an ALTER specification dray must understand itself: column renames ({@code CHANGE
 * [COLUMN] [IF EXISTS] old new ...} and {@code RENAME COLUMN old TO new}), so that the copy follows
 * them. Everything else is the server's business: it applies the specification to the new table,
 * and dray compares the tables' columns and keys afterwards. MySQL-family syntax (backtick-quoted
 * identifiers), so it lives with the dialect.
 */
public final class AlterSpec {
  private static final String IDENT = "(`(?:[^`]|``)+`|[\\p{L}\\p{N}_$]+)";
  private static final Pattern CHANGE =
      Pattern.compile(
          "\\bCHANGE\\s+(?:COLUMN\\s+)?(?:IF\\s+EXISTS\\s+)?" + IDENT + "\\s+" + IDENT,
          Pattern.CASE_INSENSITIVE);
  private static final Pattern RENAME =
      Pattern.compile(
          "\\bRENAME\\s+COLUMN\\s+(?:IF\\s+EXISTS\\s+)?" + IDENT + "\\s+TO\\s+" + IDENT,
          Pattern.CASE_INSENSITIVE);

  private AlterSpec() {}

  /** Old column name to new one, for every rename in {@code spec} (identical names left out). */
  public static Map<String, String> renames(String spec) {
    String text = withoutQuotedStrings(spec);
    Map<String, String> renames = new LinkedHashMap<>();
    for (Pattern pattern : new Pattern[] {CHANGE, RENAME}) {
      Matcher m = pattern.matcher(text);
      while (m.find()) {
        String from = unquote(m.group(1));
        String to = unquote(m.group(2));
        if (!from.equalsIgnoreCase(to)) {
          renames.put(from, to);
        }
      }
    }
    return renames;
  }

  /** The spec with string literals blanked (a COMMENT 'change a b' is no rename). */
  static String withoutQuotedStrings(String spec) {
    StringBuilder out = new StringBuilder(spec.length());
    char quote = 0;
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (quote == 0) {
        if (c == '\'' || c == '"') {
          quote = c;
          out.append(' ');
        } else {
          out.append(c);
        }
      } else {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          if (i + 1 < spec.length() && spec.charAt(i + 1) == quote) {
            i++;
          } else {
            quote = 0;
          }
        }
        out.append(' ');
      }
    }
    return out.toString();
  }

  private static String unquote(String identifier) {
    return identifier.startsWith("`")
        ? identifier.substring(1, identifier.length() - 1).replace("``", "`")
        : identifier;
  }
}
