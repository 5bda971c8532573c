package dev.dray.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * All MySQL-family SQL lives in the dialect package ({@code dev.dray.db}): this test reads the
 * string literals of every main source file outside it and fails on SQL that only the MySQL family
 * understands.
 */
class DialectBoundaryTest {
  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Path DIALECT_PACKAGE = MAIN.resolve(Path.of("dev", "dray", "db"));

  /** MySQL-family-only SQL, matched case-insensitively in string literals. */
  private static final List<Pattern> MYSQL_ONLY =
      Stream.of(
              "INSERT\\s+IGNORE",
              "REPLACE\\s+INTO",
              "NOW\\(6\\)",
              "ENGINE\\s*=",
              "LOCK\\s+IN\\s+SHARE\\s+MODE",
              "SKIP\\s+LOCKED",
              "@@[A-Za-z_.]++(?!@)",
              "ON\\s+DUPLICATE\\s+KEY",
              "`",
              "INTERVAL\\s+\\?\\s+MICROSECOND",
              "GET_LOCK\\(")
          .map(p -> Pattern.compile(p, Pattern.CASE_INSENSITIVE))
          .toList();

  /**
   * Files whose literals hold these characters for another reason than SQL, and why. {@code
   * Secrets}: a regular expression of the quote characters that may surround a password in a
   * message.
   */
  private static final List<Path> NOT_SQL = List.of(Path.of("dev", "dray", "Secrets.java"));

  /** A Java string literal or text block, after comments are removed. */
  private static final Pattern LITERAL =
      Pattern.compile("\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"", Pattern.DOTALL);

  private static final Pattern COMMENT =
      Pattern.compile("//[^\\n]*|/\\*.*?\\*/|(\"(?:[^\"\\\\\\n]|\\\\.)*\")", Pattern.DOTALL);

  @Test
  void noMySqlOnlySqlOutsideTheDialectPackage() throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        if (file.startsWith(DIALECT_PACKAGE) || NOT_SQL.contains(MAIN.relativize(file))) {
          continue;
        }
        Matcher literal = LITERAL.matcher(withoutComments(Files.readString(file)));
        while (literal.find()) {
          String text = literal.group(1) != null ? literal.group(1) : literal.group(2);
          for (Pattern pattern : MYSQL_ONLY) {
            if (pattern.matcher(text).find()) {
              found.add(MAIN.relativize(file) + ": \"" + text + "\" (" + pattern + ")");
            }
          }
        }
      }
    }
    assertThat(found).as("MySQL-only SQL outside %s", DIALECT_PACKAGE).isEmpty();
  }

  @Test
  void theScanSeesSqlInLiteralsAndNotInComments() {
    String source =
        "class X { // INSERT IGNORE in a comment\n"
            + " /* NOW(6) */ String a = \"INSERT IGNORE INTO t\"; String b = \"a // b\"; }";
    String code = withoutComments(source);
    assertThat(code).doesNotContain("NOW(6)").contains("\"a // b\"");
    Matcher literal = LITERAL.matcher(code);
    List<String> literals = new ArrayList<>();
    while (literal.find()) {
      literals.add(literal.group(2));
    }
    assertThat(literals).containsExactly("INSERT IGNORE INTO t", "a // b");
    assertThat(MYSQL_ONLY.stream().anyMatch(p -> p.matcher(literals.get(0)).find())).isTrue();
    assertThat(MYSQL_ONLY.stream().anyMatch(p -> p.matcher("select `x`").find())).isTrue();
    assertThat(MYSQL_ONLY.stream().anyMatch(p -> p.matcher("SELECT @@SESSION.sql_mode").find()))
        .isTrue();
    assertThat(MYSQL_ONLY.stream().anyMatch(p -> p.matcher("/*@@STYLE@@*/").find()))
        .as("a template placeholder is not a server variable")
        .isFalse();
  }

  /** Removes comments; string literals (which may contain comment markers) are kept. */
  static String withoutComments(String source) {
    Matcher matcher = COMMENT.matcher(source);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(
          out, matcher.group(1) != null ? Matcher.quoteReplacement(matcher.group(1)) : " ");
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
