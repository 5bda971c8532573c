package dev.dray.bench.copy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload W2 (docs/BENCHMARKS.md, "Copy (W2)"): copies a 2M-row narrow table with dray at 1, 2, 4,
 * 8 and 16 workers (chunk 1000, checkpoints on) and with pt-online-schema-change (no-op alter,
 * fixed chunk 1000 and dynamic chunking) in the same run, rotating the order every round, and
 * prints the medians as a Markdown table; then dray's cross-server mode in rows/s.
 *
 * <p>Usage: {@code java -cp dray-bench.jar:... dev.dray.bench.copy.CopyBenchmark --port 3391
 * [--cross-port 3392] [--rounds 3] [--rows 2000000] [--dray-jar dray-cli/target/dray.jar]}
 */
public final class CopyBenchmark {
  private record Variant(String name, List<String> command, boolean dray) {}

  /** dray's own timing of the copy (after JVM start and connecting), from its summary line. */
  private static final Pattern DRAY_SECONDS = Pattern.compile(" in ([0-9.]+) s \\(");

  private final Map<String, List<Double>> reported = new LinkedHashMap<>();
  private final int port;
  private final int crossPort;
  private final int rounds;
  private final long rows;
  private final String drayJar;

  private CopyBenchmark(Map<String, String> args) {
    this.port = Integer.parseInt(args.getOrDefault("--port", "3391"));
    this.crossPort = Integer.parseInt(args.getOrDefault("--cross-port", "0"));
    this.rounds = Integer.parseInt(args.getOrDefault("--rounds", "3"));
    this.rows = Long.parseLong(args.getOrDefault("--rows", "2000000"));
    this.drayJar = args.getOrDefault("--dray-jar", "dray-cli/target/dray.jar");
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      args.put(argv[i], argv[i + 1]);
    }
    new CopyBenchmark(args).run();
  }

  private String url(int serverPort) {
    return "jdbc:mariadb://127.0.0.1:" + serverPort + "/w2?user=root";
  }

  private void run() throws Exception {
    try (Connection c = DriverManager.getConnection(url(port).replace("/w2?", "/?"))) {
      prepareSource(c);
      System.out.println(
          "server: "
              + query(
                  c,
                  "SELECT CONCAT(VERSION(), ' doublewrite=', @@innodb_doublewrite, ' sync_binlog=', @@sync_binlog,"
                      + " ' flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit, ' binlog_format=', @@binlog_format, ' log_bin=', @@log_bin,"
                      + " ' buffer_pool=', @@innodb_buffer_pool_size DIV 1048576, 'M')"));
    }
    List<Variant> variants = new ArrayList<>();
    for (int workers : new int[] {1, 2, 4, 8, 16}) {
      variants.add(drayVariant("dray --workers " + workers, url(port), workers, List.of()));
    }
    for (int workers : new int[] {1, 2, 4, 8}) {
      variants.add(
          drayVariant(
              "dray --workers " + workers + " --chunk-time 500ms",
              url(port),
              workers,
              List.of("--chunk-time", "500ms")));
    }
    variants.add(
        ptOsc(
            "pt-osc --chunk-size 1000 --chunk-time 0",
            List.of("--chunk-size", "1000", "--chunk-time", "0")));
    variants.add(ptOsc("pt-osc dynamic (default --chunk-time 0.5)", List.of()));
    Map<String, List<Double>> times = measure(variants, port);
    printTable(times, "dray --workers 1", "pt-osc dynamic (default --chunk-time 0.5)");

    if (crossPort > 0) {
      List<Variant> cross = new ArrayList<>();
      for (int workers : new int[] {1, 4, 8}) {
        cross.add(
            drayVariant(
                "dray cross-server --workers " + workers, url(crossPort), workers, List.of()));
      }
      try (Connection c = DriverManager.getConnection(url(crossPort).replace("/w2?", "/?"))) {
        try (Statement s = c.createStatement()) {
          s.execute("CREATE DATABASE IF NOT EXISTS w2");
        }
      }
      Map<String, List<Double>> crossTimes = measure(cross, crossPort);
      System.out.println();
      System.out.println(
          "| cross-server ("
              + port
              + " -> "
              + crossPort
              + ") | runs (s) | median s | rows/s | dray's own time, median s |");
      System.out.println("|---|---|---|---|---|");
      for (Map.Entry<String, List<Double>> e : crossTimes.entrySet()) {
        double median = median(e.getValue());
        System.out.printf(
            "| %s | %s | %.2f | %,.0f | %s |%n",
            e.getKey(), e.getValue(), median, rows / median, ownMedian(e.getKey()));
      }
    }
  }

  private Variant drayVariant(String name, String targetUrl, int workers, List<String> extra) {
    List<String> command =
        new ArrayList<>(
            List.of(
                javaBin(),
                "-jar",
                drayJar,
                "copy",
                "--source",
                url(port),
                "--table",
                "w2.t",
                "--target",
                targetUrl,
                "--target-table",
                "w2.t_copy",
                "--workers",
                Integer.toString(workers),
                "--chunk-size",
                "1000",
                "--progress-interval",
                "0"));
    command.addAll(extra);
    return new Variant(name, command, true);
  }

  private Variant ptOsc(String name, List<String> extra) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "pt-online-schema-change",
                "--alter",
                "ENGINE=InnoDB",
                "--execute",
                "--recursion-method",
                "none",
                "--no-check-replication-filters"));
    command.addAll(extra);
    command.add("h=127.0.0.1,P=" + port + ",u=root,D=w2,t=t");
    return new Variant(name, command, false);
  }

  /** Runs every variant once per round, rotating the order; returns wall seconds per variant. */
  private Map<String, List<Double>> measure(List<Variant> variants, int targetPort)
      throws Exception {
    Map<String, List<Double>> times = new LinkedHashMap<>();
    variants.forEach(v -> times.put(v.name(), new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < variants.size(); i++) {
        Variant variant = variants.get((i + round) % variants.size());
        resetTarget(targetPort);
        long started = System.nanoTime();
        Path log = Files.createTempFile("dray-copy-bench", ".log");
        Process process =
            new ProcessBuilder(variant.command())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
          throw new IllegalStateException(variant.name() + " failed: " + Files.readString(log));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        checkCopied(variant, targetPort);
        Matcher own = DRAY_SECONDS.matcher(Files.readString(log));
        if (variant.dray() && own.find()) {
          reported
              .computeIfAbsent(variant.name(), k -> new ArrayList<>())
              .add(Double.parseDouble(own.group(1)));
        }
        times.get(variant.name()).add(seconds);
        System.out.printf("round %d  %-45s %7.2f s%n", round + 1, variant.name(), seconds);
        Files.deleteIfExists(log);
      }
    }
    return times;
  }

  private void checkCopied(Variant variant, int targetPort) throws SQLException {
    String table = variant.dray() ? "w2.t_copy" : "w2.t";
    try (Connection c = DriverManager.getConnection(url(variant.dray() ? targetPort : port))) {
      long count = Long.parseLong(query(c, "SELECT COUNT(*) FROM " + table));
      if (count != rows) {
        throw new IllegalStateException(
            variant.name() + " left " + count + " rows in " + table + ", expected " + rows);
      }
    }
  }

  private void resetTarget(int targetPort) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(targetPort));
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS w2.t_copy");
      s.execute(
          "CREATE TABLE w2.t_copy (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NOT NULL)");
      s.execute("DROP TABLE IF EXISTS w2._dray_checkpoint");
      s.execute("DROP TABLE IF EXISTS w2._t_new");
      s.execute("DROP TABLE IF EXISTS w2._t_old");
      s.execute("RESET MASTER"); // keeps the binary log from filling the disk between runs
    }
    try (Connection c = DriverManager.getConnection(url(port));
        Statement s = c.createStatement()) {
      s.execute("RESET MASTER");
    }
  }

  private void prepareSource(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS w2");
      s.execute(
          "CREATE TABLE IF NOT EXISTS w2.t (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT NOT NULL, b VARCHAR(64) NOT NULL)");
      long existing = Long.parseLong(query(c, "SELECT COUNT(*) FROM w2.t"));
      if (existing != rows) {
        s.execute("TRUNCATE w2.t");
        // W2: a = n % 100000, b = MD5(n); MariaDB's sequence engine generates n
        s.execute(
            "INSERT INTO w2.t (id, a, b) SELECT seq, seq % 100000, MD5(seq) FROM w2.seq_1_to_"
                + rows);
      }
    }
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void printTable(Map<String, List<Double>> times, String serial, String peer) {
    double serialMedian = median(times.get(serial));
    double peerMedian = median(times.get(peer));
    System.out.println();
    System.out.println(
        "| variant | runs, process wall time (s) | median s | rows/s | vs dray --workers 1"
            + " | vs pt-osc dynamic | dray's own time, median s |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Map.Entry<String, List<Double>> e : times.entrySet()) {
      double median = median(e.getValue());
      StringBuilder runs = new StringBuilder();
      for (double t : e.getValue()) {
        runs.append(runs.length() == 0 ? "" : ", ").append(String.format("%.2f", t));
      }
      System.out.printf(
          "| %s | %s | %.2f | %,.0f | %.2fx faster | %.2fx the time | %s |%n",
          e.getKey(),
          runs,
          median,
          rows / median,
          serialMedian / median,
          median / peerMedian,
          ownMedian(e.getKey()));
    }
  }

  private String ownMedian(String variant) {
    List<Double> own = reported.get(variant);
    return own == null ? "-" : String.format("%.2f", median(own));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString()
        + (File.separatorChar == '\\' ? ".exe" : "");
  }
}
