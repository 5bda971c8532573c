package dev.dray.load;

import java.util.Locale;

/** Compares the driver version a module was compiled against with the one running. */
final class DriverVersions {
  private DriverVersions() {}

  /**
   * Whether {@code running} is the release {@code builtFor} names. Maven versions of DuckDB's JDBC
   * driver add a fourth component ({@code 1.4.1.0}) to the engine release the driver reports
   * ({@code v1.4.1}); MariaDB's match exactly ({@code 3.5.6}).
   */
  static boolean sameRelease(String builtFor, String running) {
    if (builtFor == null || running == null) {
      return false;
    }
    String built = normalize(builtFor);
    String run = normalize(running);
    return built.equals(run) || (built.startsWith(run + ".") && countDots(run) == 2);
  }

  private static String normalize(String version) {
    String v = version.trim().toLowerCase(Locale.ROOT);
    return v.startsWith("v") ? v.substring(1) : v;
  }

  private static int countDots(String version) {
    return (int) version.chars().filter(c -> c == '.').count();
  }
}
