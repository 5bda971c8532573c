package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.EmbeddedMariaDb;
import dev.dray.db.TableName;
import dev.dray.load.LoadJob;
import dev.dray.load.LoadResult;
import dev.dray.workload.OrdersWorkload;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dray demo}: starts an embedded MariaDB, creates workload W1 (a skewed, monthly partitioned
 * orders table), loads it into DuckDB in parallel and prints a summary with one analytic query.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "Runs a parallel load end to end on an embedded MariaDB: nothing to install.",
    footer = {"", "Example:", "  ./dray demo --rows 200000 --keep"},
    description = {
      "Starts an embedded MariaDB (nothing to install), creates a skewed RANGE-partitioned orders table,",
      "loads it into a DuckDB file in parallel and prints a summary and revenue per month from DuckDB."
    })
public final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--rows",
      paramLabel = "N",
      description = "Rows to generate (default: ${DEFAULT-VALUE}).")
  long rows = 1_000_000;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Parallel workers (default: ${DEFAULT-VALUE}).")
  int workers = LoadJob.defaultWorkers();

  @Option(
      names = "--target",
      paramLabel = "FILE",
      description = "Keep the DuckDB file here (default: a temporary file, removed afterwards).")
  Path target;

  @Option(
      names = "--keep",
      description = "Keep the DuckDB file (in a new temporary folder, printed at the end).")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    if (rows < 1) {
      throw DrayException.usage("--rows must be positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path tempDir = null;
    Path duckFile = target;
    if (duckFile == null) {
      tempDir = Files.createTempDirectory("dray-demo-");
      duckFile = tempDir.resolve("demo.duckdb");
    } else if (Files.exists(duckFile)) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE,
          "target " + duckFile + " exists already; choose a new file");
    }
    out.println("starting embedded MariaDB ...");
    out.flush();
    try (EmbeddedMariaDb mariaDb = EmbeddedMariaDb.start()) {
      TableName table = new TableName("demo", "orders");
      long generateStart = System.nanoTime();
      try (Connection connection = Connections.open(mariaDb.connectionConfig("mysql"));
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE DATABASE demo");
        Dialect dialect = Dialects.detect(connection);
        out.printf(
            "%s on port %d; generating %,d rows of workload W1 ...%n",
            dialect.productName(), mariaDb.port(), rows);
        out.flush();
        OrdersWorkload.create(connection, dialect, table, rows);
      }
      out.printf(
          "generated in %.1f s; loading into DuckDB ...%n",
          (System.nanoTime() - generateStart) / 1e9);
      out.flush();
      LoadResult result =
          LoadJob.builder()
              .source(mariaDb.connectionConfig("demo"))
              .table(table)
              .target(duckFile)
              .workers(workers)
              .build()
              .run();
      printSummary(out, result, duckFile);
      out.println();
      if (tempDir == null || keep) {
        out.printf("kept the DuckDB file %s (duckdb %s to query it)%n", duckFile, duckFile);
      } else {
        out.printf(
            "the DuckDB file %s is deleted now; --keep (or --target FILE) keeps it%n", duckFile);
      }
      out.println("the embedded MariaDB (a scratch server of the demo) stops and is deleted now");
    } finally {
      if (tempDir != null && !keep) {
        Files.deleteIfExists(duckFile);
        Files.deleteIfExists(duckFile.resolveSibling(duckFile.getFileName() + ".wal"));
        Files.deleteIfExists(tempDir);
      }
    }
    return 0;
  }

  private static void printSummary(PrintWriter out, LoadResult result, Path duckFile)
      throws SQLException, IOException {
    out.println();
    out.println("dray demo summary");
    out.printf("  rows        %,d%n", result.rows());
    out.printf("  partitions  %d%n", result.partitions());
    out.printf("  tasks       %d%n", result.tasks());
    out.printf("  workers     %d%n", result.workers());
    out.printf("  seconds     %.2f%n", result.seconds());
    out.printf("  rows/s      %,.0f%n", result.rowsPerSecond());
    out.printf("  target      %s (%,d bytes)%n", duckFile, Files.size(duckFile));
    out.println();
    out.println(
        "revenue per month (DuckDB: SELECT month, count(*), sum(amount) FROM orders GROUP BY 1)");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + duckFile.toAbsolutePath());
        Statement statement = duck.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT strftime(date_trunc('month', created), '%Y-%m') AS month, count(*) AS orders,"
                    + " sum(amount) AS revenue FROM orders GROUP BY 1 ORDER BY 1")) {
      out.printf("  %-8s %10s %16s%n", "month", "orders", "revenue");
      while (rs.next()) {
        out.printf("  %-8s %,10d %,16.2f%n", rs.getString(1), rs.getLong(2), rs.getBigDecimal(3));
      }
    }
    out.flush();
  }
}
