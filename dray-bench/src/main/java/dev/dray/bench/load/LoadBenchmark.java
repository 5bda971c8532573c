package dev.dray.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Workload W1 load benchmark: dray with default workers, dray with one worker, and the hand-made
 * path (SELECT ... INTO OUTFILE per partition on 2 connections, then one DuckDB CREATE TABLE AS
 * SELECT FROM read_csv into a DuckDB file), alternating in one run; prints each run and the medians
 * and ratios.
 *
 * <p>Arguments: {@code SOURCE_URL SCHEMA JAR OUTFILE_DIR WORK_DIR RUNS [VARIANT...]} where the
 * source server's secure_file_priv is OUTFILE_DIR. Variants: {@code dray}, {@code dray-workers-N},
 * either with {@code -driver-rows} appended (rows decoded by the driver's JDBC getters instead of
 * read directly), and {@code outfile}. dray runs as a child process ({@code java -Xmx1g -jar JAR
 * load ...}) under {@code /usr/bin/time} for its peak memory; its time is the load's own wall time
 * from its JSON report (no JVM start-up), the peer's the same span in this process.
 */
public final class LoadBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;
  private final String schema;
  private final Path jar;
  private final Path outfileDir;
  private final Path workDir;

  private LoadBenchmark(String url, String schema, Path jar, Path outfileDir, Path workDir) {
    this.url = url;
    this.schema = schema;
    this.jar = jar;
    this.outfileDir = outfileDir;
    this.workDir = workDir;
  }

  record Measurement(String variant, double seconds, long peakRssKb, long rows) {}

  public static void main(String[] args) throws Exception {
    LoadBenchmark bench =
        new LoadBenchmark(args[0], args[1], Path.of(args[2]), Path.of(args[3]), Path.of(args[4]));
    int runs = Integer.parseInt(args[5]);
    List<String> variants =
        args.length > 6
            ? List.of(args).subList(6, args.length)
            : List.of("dray", "dray-workers-1", "outfile");
    Files.createDirectories(bench.workDir);
    Map<String, List<Measurement>> results = new LinkedHashMap<>();
    for (int run = 0; run < runs; run++) {
      for (int i = 0; i < variants.size(); i++) {
        // rotate the order so no variant always runs first (warm caches, a quiet machine)
        String variant = variants.get((i + run) % variants.size());
        Measurement m = bench.measure(variant);
        results.computeIfAbsent(variant, k -> new ArrayList<>()).add(m);
        System.out.printf(
            "run %d %-16s %7.2f s  peak RSS %s  rows %,d%n",
            run + 1,
            variant,
            m.seconds(),
            m.peakRssKb() < 0 ? "-" : (m.peakRssKb() / 1024) + " MiB",
            m.rows());
      }
    }
    System.out.println();
    Map<String, Double> medians = new LinkedHashMap<>();
    for (Map.Entry<String, List<Measurement>> e : results.entrySet()) {
      double median = median(e.getValue().stream().map(Measurement::seconds).toList());
      long rss = e.getValue().stream().mapToLong(Measurement::peakRssKb).max().orElse(-1);
      medians.put(e.getKey(), median);
      System.out.printf(
          "median %-16s %7.2f s  (runs: %s)  max peak RSS %s%n",
          e.getKey(),
          median,
          e.getValue().stream().map(m -> String.format("%.2f", m.seconds())).toList(),
          rss < 0 ? "-" : (rss / 1024) + " MiB");
    }
    if (medians.containsKey("dray") && medians.containsKey("outfile")) {
      System.out.printf(
          "ratio dray / outfile           %.2f%n", medians.get("dray") / medians.get("outfile"));
    }
    if (medians.containsKey("dray") && medians.containsKey("dray-workers-1")) {
      System.out.printf(
          "speed-up dray vs --workers 1     %.2fx%n",
          medians.get("dray-workers-1") / medians.get("dray"));
    }
  }

  private Measurement measure(String variant) throws Exception {
    if (variant.equals("outfile")) {
      return outfile();
    }
    List<String> extra = new ArrayList<>();
    if (variant.startsWith("dray-workers-")) {
      extra.add("--workers");
      extra.add(variant.substring("dray-workers-".length()).replace("-driver-rows", ""));
    }
    return dray(variant, extra);
  }

  private Measurement dray(String variant, List<String> extra) throws Exception {
    Path target = workDir.resolve("dray.duckdb");
    Path report = workDir.resolve("report.json");
    Path rss = workDir.resolve("rss.txt");
    deleteDuckDb(target);
    Files.deleteIfExists(report);
    List<String> command = new ArrayList<>();
    command.add("/usr/bin/time");
    command.add("-o");
    command.add(rss.toString());
    command.add("-f");
    command.add("%M");
    command.add("java");
    String opts = System.getenv().getOrDefault("DRAY_BENCH_JAVA_OPTS", "-Xmx1g");
    command.addAll(List.of(opts.trim().split("\\s+")));
    if (variant.endsWith("driver-rows")) {
      // the JDBC getters instead of reading the binary rows directly (to compare the two)
      command.add("-Ddray.load.rowDecoding=driver");
    }
    command.add("-jar");
    command.add(jar.toString());
    command.add("load");
    command.add("--source");
    command.add(url);
    command.add("--table");
    command.add(schema + ".orders");
    command.add("--target");
    command.add("duckdb:" + target);
    command.add("--report");
    command.add(report.toString());
    command.addAll(extra);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(variant + " failed: " + output);
    }
    JsonNode json = JSON.readTree(report.toFile());
    long peak =
        Long.parseLong(
            Files.readString(rss).trim().lines().reduce((a, b) -> b).orElse("-1").trim());
    return new Measurement(
        variant, json.get("seconds").asDouble(), peak, json.get("rows").asLong());
  }

  /** The DBA's path: OUTFILE per partition on 2 connections, then read_csv into a DuckDB file. */
  private Measurement outfile() throws Exception {
    Path files = outfileDir.resolve("w1");
    deleteTree(files);
    Files.createDirectories(files);
    Path target = workDir.resolve("outfile.duckdb");
    deleteDuckDb(target);
    List<String> partitions = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url + "?user=root");
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = '"
                    + schema
                    + "' AND TABLE_NAME = 'orders' ORDER BY TABLE_ROWS DESC")) {
      while (rs.next()) {
        partitions.add(rs.getString(1));
      }
    }
    long started = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread thread =
          new Thread(
              () -> {
                try (Connection connection = DriverManager.getConnection(url + "?user=root");
                    Statement statement = connection.createStatement()) {
                  for (int i = next.getAndIncrement();
                      i < partitions.size();
                      i = next.getAndIncrement()) {
                    String p = partitions.get(i);
                    statement.execute(
                        "SELECT * INTO OUTFILE '"
                            + files.resolve(p + ".tsv")
                            + "' FROM "
                            + schema
                            + ".orders PARTITION ("
                            + p
                            + ")");
                  }
                } catch (SQLException e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              },
              "outfile-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    long rows;
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + target);
        Statement statement = duck.createStatement()) {
      statement.execute(
          "CREATE TABLE orders AS SELECT * FROM read_csv('"
              + files
              + "/*.tsv', delim = '\\t', header = false, quote = '', escape = '', nullstr = '\\N',"
              + " columns = {'id': 'BIGINT', 'created': 'TIMESTAMP', 'customer_id': 'INTEGER',"
              + " 'status': 'VARCHAR', 'amount': 'DECIMAL(12,2)', 'discount': 'DOUBLE',"
              + " 'currency': 'VARCHAR', 'note': 'VARCHAR', 'ship_date': 'DATE', 'flags': 'UTINYINT'})");
      try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM orders")) {
        rs.next();
        rows = rs.getLong(1);
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new Measurement("outfile", seconds, -1, rows);
  }

  private static void deleteDuckDb(Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".wal"));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
