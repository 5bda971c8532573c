package dev.dray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java examples, compiled as written (their own imports, nothing added but a class
 * around them) and run each in a JVM of its own against a real server, in the order the README
 * shows them. The only change made to the text is the database name {@code shop} in table names,
 * (in `"shop.orders`), which becomes this test's schema.
 */
@ExtendWith(MariaDbExtension.class)
class ReadmeJavaExamplesTest {
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  static List<String> examples() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("<!-- java-examples:start -->");
    int end = readme.indexOf("<!-- java-examples:end -->");
    assertThat(start).as("README marks its Java examples").isNotNegative();
    assertThat(end).isGreaterThan(start);
    List<String> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(readme.substring(start, end));
    while (matcher.find()) {
      blocks.add(matcher.group(1));
    }
    return blocks;
  }

  /** Imports stay at the top; the statements become the body of {@code main}. */
  static String asProgram(String className, String example) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : example.split("\n", -1)) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    return imports
        + "\npublic class "
        + className
        + " {\n  public static void main(String[] args) throws Exception {\n"
        + body
        + "  }\n}\n";
  }

  /**
   * The guides' "Library" snippets (docs/*.md) compile as written, imports included. They name
   * servers of their own (replica-2, db), so they are compiled, not run; the README's are run.
   */
  @Test
  void everyGuideSnippetCompilesAsWritten(@TempDir Path dir) throws IOException {
    List<Path> guides;
    try (var files = Files.list(Path.of("..", "docs"))) {
      guides = files.filter(f -> f.toString().endsWith(".md")).sorted().toList();
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    int snippets = 0;
    for (Path guide : guides) {
      Matcher matcher = BLOCK.matcher(Files.readString(guide));
      while (matcher.find()) {
        String className = "GuideSnippet" + ++snippets;
        Path source = dir.resolve(className + ".java");
        Files.writeString(source, asProgram(className, matcher.group(1)));
        StringWriter diagnostics = new StringWriter();
        boolean compiled = compile(compiler, source, dir, diagnostics);
        assertThat(compiled)
            .as("the Java snippet in %s compiles as written:%n%s", guide.getFileName(), diagnostics)
            .isTrue();
      }
    }
    assertThat(snippets)
        .as("LOAD, COPY, QUEUE, FOLLOW and REPORTS show library code")
        .isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyJavaExampleCompilesAsWrittenAndRuns(TestDatabase db, @TempDir Path dir)
      throws Exception {
    db.execute(
        "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer INT NOT NULL,"
            + " total DECIMAL(10,2) NOT NULL, note VARCHAR(40) NULL)",
        "INSERT INTO orders SELECT seq, seq % 97, seq * 1.25, IF(seq % 3 = 0, NULL, MD5(seq))"
            + " FROM seq_1_to_5000",
        "CREATE TABLE orders_copy LIKE orders");
    List<String> examples = examples();
    assertThat(examples).as("load, copy + verify, queue").hasSize(3);

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      String example = examples.get(i).replace("\"shop.orders", "\"" + db.schema() + ".orders");
      String className = "ReadmeExample" + (i + 1);
      Path source = dir.resolve(className + ".java");
      Files.writeString(source, asProgram(className, example));
      StringWriter diagnostics = new StringWriter();
      boolean compiled = compile(compiler, source, dir, diagnostics);
      assertThat(compiled).as("README example %d compiles:%n%s", i + 1, diagnostics).isTrue();
      outputs.add(run(className, dir, db.url()));
    }

    assertThat(outputs.get(0)).contains("loaded 5000 rows");
    assertThat(outputs.get(1)).contains("copied 5000 rows; equal: true");
    assertThat(outputs.get(2)).contains("processed 100 jobs").contains("sending {\"order\": 99}");
    Path duckDb = dir.resolve("shop.duckdb");
    assertThat(duckDb)
        .as(
            "the load example's file, in its working directory %s; it printed %s",
            listing(dir), outputs.get(0))
        .exists();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + duckDb);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*), sum(total) FROM orders")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(5000);
      assertThat(rows.getBigDecimal(2)).isEqualByComparingTo("15628125.00");
    }
    try (Connection connection = java.sql.DriverManager.getConnection(db.url());
        Statement statement = connection.createStatement();
        ResultSet left = statement.executeQuery("SELECT count(*) FROM emails")) {
      left.next();
      assertThat(left.getLong(1)).as("every queued job was worked off").isZero();
    }
  }

  private static List<String> listing(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static String run(String className, Path dir, String shopUrl) throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp",
            dir + java.io.File.pathSeparator + System.getProperty("java.class.path"),
            className);
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().put("SHOP_URL", shopUrl);
    builder.environment().remove("ETL_PASSWORD");
    builder.redirectErrorStream(true);
    Path log = dir.resolve(className + ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    boolean ended = process.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(ended).as("%s ended within 120 s:%n%s", className, output).isTrue();
    assertThat(process.exitValue()).as("%s exit code:%n%s", className, output).isZero();
    return output;
  }

  /** Compiles one source file against the test class path into {@code dir}. */
  private static boolean compile(
      JavaCompiler compiler, Path source, Path dir, StringWriter diagnostics) {
    return compiler
        .getTask(
            diagnostics,
            null,
            null,
            List.of(
                "-classpath",
                System.getProperty("java.class.path"),
                "-d",
                dir.toString(),
                "-proc:none"),
            null,
            compiler
                .getStandardFileManager(null, null, StandardCharsets.UTF_8)
                .getJavaFileObjects(source))
        .call();
  }
}
