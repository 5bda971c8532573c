package dev.dray.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads a DuckDB file in tests. */
public final class DuckDbFiles {
  private DuckDbFiles() {}

  public static List<List<Object>> query(Path file, String sql) {
    try (Connection connection =
            DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB query failed: " + e.getMessage(), e);
    }
  }

  public static long queryLong(Path file, String sql) {
    return ((Number) query(file, sql).get(0).get(0)).longValue();
  }

  static List<String> tables(Path file) {
    return query(file, "SELECT table_name FROM information_schema.tables ORDER BY 1").stream()
        .map(r -> (String) r.get(0))
        .toList();
  }

  /** A fingerprint of the file's bytes (and its WAL), to show that it was not touched. */
  static String fingerprint(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (Path p : List.of(file, file.resolveSibling(file.getFileName() + ".wal"))) {
      if (Files.exists(p)) {
        digest.update(Files.readAllBytes(p));
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
