package dev.dray.run;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/** The throttle conditions dray knows: server load, replica lag, a user query, a file, a rate. */
public final class ThrottleConditions {
  private ThrottleConditions() {}

  /** Pauses while {@code file} exists: an operator's "hold on" switch. */
  public static ThrottleCondition pauseFile(Path file) {
    requireNonNull(file, "file is null");
    return () ->
        Files.exists(file) ? Optional.of("pause file " + file + " exists") : Optional.empty();
  }

  /** Pauses while the server's Threads_running is above {@code max}. */
  public static ThrottleCondition threadsRunning(ConnectionConfig server, long max) {
    return new ConnectedCondition(server, "threads running on " + server.safeUrl()) {
      @Override
      Optional<String> check(Connection connection, Dialect dialect) throws SQLException {
        long running = dialect.threadsRunning(connection);
        return running > max
            ? Optional.of("threads running " + running + " > " + max)
            : Optional.empty();
      }
    };
  }

  /**
   * Pauses while any of the server's global status variables is above its limit (gh-ost's {@code
   * --max-load}).
   */
  public static ThrottleCondition maxLoad(ConnectionConfig server, List<StatusLimit> limits) {
    return new StatusCondition(server, limits, "--max-load", false);
  }

  /**
   * Stops the job when any of the server's global status variables is above its limit (gh-ost's
   * {@code --critical-load}): a {@link ThrottleCondition#critical() critical} condition.
   */
  public static ThrottleCondition criticalLoad(ConnectionConfig server, List<StatusLimit> limits) {
    return new StatusCondition(server, limits, "--critical-load", true);
  }

  /**
   * Refuses limits on status variables the server does not have (a typo would otherwise throttle
   * forever or never), naming them.
   */
  public static void requireKnown(ConnectionConfig server, String flag, List<StatusLimit> limits) {
    if (limits.isEmpty()) {
      return;
    }
    try (Connection connection = Connections.open(server)) {
      Map<String, Long> status =
          Dialects.detect(connection).globalStatus(connection, names(limits));
      List<String> unknown =
          limits.stream()
              .filter(limit -> limit.valueIn(status) == null)
              .map(StatusLimit::variable)
              .toList();
      if (!unknown.isEmpty()) {
        throw DrayException.usage(
            flag
                + ": "
                + server.safeUrl()
                + " has no numeric global status variable "
                + String.join(", ", unknown)
                + " (see SHOW GLOBAL STATUS)");
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot read the global status for " + flag + ": " + SqlErrors.describe(e),
          e);
    }
  }

  private static List<String> names(List<StatusLimit> limits) {
    return limits.stream().map(StatusLimit::variable).toList();
  }

  /** Global status variables over their limits. */
  static final class StatusCondition extends ConnectedCondition {
    private final List<StatusLimit> limits;
    private final String flag;
    private final boolean critical;
    private final String server;

    StatusCondition(
        ConnectionConfig server, List<StatusLimit> limits, String flag, boolean critical) {
      super(server, "the global status of " + server.safeUrl() + " (" + flag + ")");
      this.limits = List.copyOf(limits);
      this.flag = flag;
      this.critical = critical;
      this.server = server.safeUrl();
    }

    @Override
    public boolean critical() {
      return critical;
    }

    @Override
    Optional<String> check(Connection connection, Dialect dialect) throws SQLException {
      Map<String, Long> status = dialect.globalStatus(connection, names(limits));
      for (StatusLimit limit : limits) {
        Long value = limit.valueIn(status);
        if (value != null && value > limit.threshold()) {
          return Optional.of(
              limit.variable()
                  + " "
                  + value
                  + " > "
                  + limit.threshold()
                  + " on "
                  + server
                  + " ("
                  + flag
                  + ")");
        }
      }
      return Optional.empty();
    }

    @Override
    Optional<String> failedCheck(String reason) {
      // a critical check that cannot be made does not stop the job: it is not a measured load
      return critical ? Optional.empty() : Optional.of(reason);
    }
  }

  /** Pauses while the replica lags more than {@code maxLag}, or does not replicate at all. */
  public static ThrottleCondition replicaLag(ConnectionConfig replica, Duration maxLag) {
    return new ConnectedCondition(replica, "replica lag of " + replica.safeUrl()) {
      @Override
      Optional<String> check(Connection connection, Dialect dialect) throws SQLException {
        long lag = dialect.replicaLagSeconds(connection);
        if (lag < 0) {
          return Optional.of("replica " + replica.safeUrl() + " is not replicating");
        }
        return lag > maxLag.toSeconds()
            ? Optional.of(
                "replica "
                    + replica.safeUrl()
                    + " lags "
                    + lag
                    + " s > "
                    + maxLag.toSeconds()
                    + " s")
            : Optional.empty();
      }
    };
  }

  /** Pauses while {@code sql} (a query of one value) returns anything but 0 or NULL. */
  public static ThrottleCondition query(ConnectionConfig server, String sql) {
    requireNonNull(sql, "sql is null");
    return new ConnectedCondition(server, "throttle query") {
      @Override
      Optional<String> check(Connection connection, Dialect dialect) throws SQLException {
        try (Statement statement = connection.createStatement();
            ResultSet rs = statement.executeQuery(sql)) {
          if (!rs.next()) {
            return Optional.empty();
          }
          String value = rs.getString(1);
          boolean zero = value == null || value.isBlank() || value.trim().matches("-?0+(\\.0*)?");
          return zero ? Optional.empty() : Optional.of("throttle query returned " + value);
        }
      }
    };
  }

  /**
   * At most {@code rowsPerSecond} rows per second, as a token bucket holding one second of burst.
   */
  public static ThrottleCondition rateLimit(long rowsPerSecond, LongSupplier nanoTime) {
    return new RateLimit(rowsPerSecond, nanoTime);
  }

  public static ThrottleCondition rateLimit(long rowsPerSecond) {
    return rateLimit(rowsPerSecond, System::nanoTime);
  }

  static final class RateLimit implements ThrottleCondition {
    private long rowsPerSecond;
    private final LongSupplier nanoTime;
    private double tokens;
    private long lastRefill;

    RateLimit(long rowsPerSecond, LongSupplier nanoTime) {
      if (rowsPerSecond < 1) {
        throw DrayException.usage(
            "the rate limit must be at least 1 row per second, not " + rowsPerSecond);
      }
      this.rowsPerSecond = rowsPerSecond;
      this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
      this.lastRefill = nanoTime.getAsLong();
      this.tokens = 0;
    }

    @Override
    public boolean inline() {
      return true;
    }

    @Override
    public synchronized Optional<String> check() {
      refill();
      return tokens < 0 ? Optional.of("rate limit " + rowsPerSecond + " rows/s") : Optional.empty();
    }

    /**
     * Changes the rate while the job runs (the bucket keeps what it holds, within the new rate).
     */
    synchronized void rowsPerSecond(long newRowsPerSecond) {
      if (newRowsPerSecond < 1) {
        throw DrayException.usage(
            "the rate limit must be at least 1 row per second, not " + newRowsPerSecond);
      }
      refill();
      rowsPerSecond = newRowsPerSecond;
      tokens = Math.min(tokens, rowsPerSecond);
    }

    synchronized long rowsPerSecond() {
      return rowsPerSecond;
    }

    @Override
    public synchronized void recordRows(long rows) {
      refill();
      tokens -= rows;
    }

    private void refill() {
      long now = nanoTime.getAsLong();
      tokens = Math.min(rowsPerSecond, tokens + (now - lastRefill) / 1e9 * rowsPerSecond);
      lastRefill = now;
    }
  }

  /**
   * A condition that asks a server. Owns one connection, opened on first use and reopened after a
   * failure; a check that fails throttles (with the reason) instead of letting the job run blind.
   */
  abstract static class ConnectedCondition implements ThrottleCondition {
    private final ConnectionConfig server;
    private final String what;
    private Connection connection;
    private Dialect dialect;

    ConnectedCondition(ConnectionConfig server, String what) {
      this.server = requireNonNull(server, "server is null");
      this.what = what;
    }

    abstract Optional<String> check(Connection connection, Dialect dialect) throws SQLException;

    /** What a check that could not be made reports: by default, throttle with the reason. */
    Optional<String> failedCheck(String reason) {
      return Optional.of(reason);
    }

    @Override
    public synchronized Optional<String> check() {
      try {
        if (connection == null) {
          connection = Connections.open(server);
          dialect = Dialects.detect(connection);
        }
        return check(connection, dialect);
      } catch (SQLException | RuntimeException e) {
        close();
        return failedCheck("cannot check " + what + ": " + SqlErrors.describe(e));
      }
    }

    @Override
    public synchronized void close() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          // the connection is being dropped anyway
        }
        connection = null;
      }
    }
  }
}
