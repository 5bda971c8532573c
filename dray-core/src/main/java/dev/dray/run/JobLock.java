package dev.dray.run;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.Dialects;
import dev.dray.db.SqlErrors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run per job at a time: a named advisory lock ({@code GET_LOCK} on MySQL-family servers) held
 * by a dedicated session for the job's whole life. The server releases it when that session ends,
 * however it ends (kill -9 of the process, a lost network), so a new run can take over as soon as
 * the old one is gone, and never while it is alive.
 *
 * <p>A heartbeat checks the session every {@code heartbeat}; it also keeps an idle session from
 * reaching the server's {@code wait_timeout}. When the session was lost, the heartbeat reconnects
 * and takes the lock again; if another session took it in between, the {@code lost} callback runs
 * (a job stops then: two runs must not overlap).
 *
 * <pre>{@code
 * try (JobLock lock = JobLock.acquire(targetConfig, "dray:load:" + file, "load into " + file,
 *         "wait for it to finish or stop it", JobLock.DEFAULT_HEARTBEAT, cancellation::cancel)) {
 *   ... run the job ...
 * }
 * }</pre>
 */
public final class JobLock implements AutoCloseable {
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);
  private static final Logger LOG = LoggerFactory.getLogger(JobLock.class);

  private final ConnectionConfig server;
  private final String name;
  private final String job;
  private final Consumer<DrayException> lost;
  private final Thread heartbeat;
  private final Object guard = new Object();
  private Connection connection;
  private Dialect dialect;
  private boolean closed;

  private JobLock(
      ConnectionConfig server,
      String name,
      String job,
      Duration heartbeatInterval,
      Consumer<DrayException> lost) {
    this.server = server;
    this.name = name;
    this.job = job;
    this.lost = lost;
    this.heartbeat =
        new Thread(
            () -> beat(heartbeatInterval), "dray-job-lock-" + Integer.toHexString(hashCode()));
    this.heartbeat.setDaemon(true);
  }

  /**
   * Takes the lock or refuses at once.
   *
   * @param server the server that arbitrates (a copy's target server)
   * @param key what is locked, unique per job kind and object, e.g. {@code dray:copy:shop.orders};
   *     hashed when longer than the server allows
   * @param job the job in words for messages, e.g. {@code copy into shop.orders}
   * @param advice what the user should do when another run holds it
   * @param heartbeatInterval how often the session is checked
   * @param lost called (once, from the heartbeat thread) when the lock was lost to another session
   * @throws DrayException {@link ErrorCode#TARGET_UNAVAILABLE} naming the job and the session that
   *     holds the lock; a connection failure as such
   */
  public static JobLock acquire(
      ConnectionConfig server,
      String key,
      String job,
      String advice,
      Duration heartbeatInterval,
      Consumer<DrayException> lost) {
    requireNonNull(server, "server is null");
    requireNonNull(key, "key is null");
    requireNonNull(job, "job is null");
    JobLock lock =
        new JobLock(
            server,
            key,
            job,
            heartbeatInterval == null ? DEFAULT_HEARTBEAT : heartbeatInterval,
            lost == null ? e -> {} : lost);
    lock.take(advice);
    lock.heartbeat.start();
    return lock;
  }

  /** The lock's name on the server. */
  public String name() {
    return name;
  }

  private void take(String advice) {
    Connection opened = Connections.open(server);
    try {
      Dialect detected = Dialects.detect(opened);
      String lockName = lockName(name, detected.maxAdvisoryLockNameLength());
      if (!detected.tryAdvisoryLock(opened, lockName)) {
        String holder =
            detected.advisoryLockHolder(opened, lockName).orElse("a session that just ended");
        throw new DrayException(
            ErrorCode.TARGET_UNAVAILABLE,
            job
                + " cannot start: "
                + holder
                + " on "
                + server.safeUrl()
                + " holds its lock "
                + lockName
                + " (another dray run of the same table; only one may run at a time): "
                + advice);
      }
      synchronized (guard) {
        connection = opened;
        dialect = detected;
      }
    } catch (SQLException e) {
      closeQuietly(opened);
      throw new DrayException(
          SqlErrors.isAccessDenied(e) ? ErrorCode.ACCESS_DENIED : ErrorCode.CONNECTION_FAILED,
          "cannot take the lock of "
              + job
              + " on "
              + server.safeUrl()
              + ": "
              + SqlErrors.describe(e),
          e);
    } catch (RuntimeException e) {
      closeQuietly(opened);
      throw e;
    }
  }

  /** The name as the server takes it: the key itself, or a prefix and a hash when too long. */
  static String lockName(String key, int maxLength) {
    if (key.length() <= maxLength) {
      return key;
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      String hash = HexFormat.of().formatHex(digest).substring(0, 32);
      return key.substring(0, Math.max(0, maxLength - hash.length() - 1)) + "~" + hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  private void beat(Duration interval) {
    while (true) {
      try {
        Thread.sleep(Math.max(1, interval.toMillis()));
      } catch (InterruptedException e) {
        return;
      }
      synchronized (guard) {
        if (closed) {
          return;
        }
        if (!check()) {
          return;
        }
      }
    }
  }

  /** One heartbeat under the guard; false once the lock is lost for good. */
  private boolean check() {
    String lockName = lockName(name, dialect.maxAdvisoryLockNameLength());
    try {
      if (dialect.holdsAdvisoryLock(connection, lockName)) {
        return true;
      }
    } catch (SQLException e) {
      LOG.debug("the session holding {} failed: {}", lockName, SqlErrors.describe(e));
    }
    // the session is gone (killed, network, server restart): the server released the lock
    closeQuietly(connection);
    Connection fresh;
    try {
      fresh = Connections.open(server);
    } catch (DrayException e) {
      LOG.warn("{}: the lock's session was lost and cannot reconnect yet: {}", job, e.getMessage());
      return true; // the next beat tries again; the job's own connections fail meanwhile
    }
    try {
      if (dialect.tryAdvisoryLock(fresh, lockName)) {
        connection = fresh;
        LOG.warn("{}: the lock's session was lost; took the lock {} again", job, lockName);
        return true;
      }
      String holder = dialect.advisoryLockHolder(fresh, lockName).orElse("another session");
      closeQuietly(fresh);
      lost.accept(
          new DrayException(
              ErrorCode.TARGET_UNAVAILABLE,
              "lost the lock of "
                  + job
                  + ": its session ended and "
                  + holder
                  + " took the lock "
                  + lockName
                  + "; stopping so that two runs never overlap"));
      return false;
    } catch (SQLException e) {
      closeQuietly(fresh);
      return true;
    }
  }

  /** Whether this process still holds the lock (asks the server). */
  public boolean held() {
    synchronized (guard) {
      if (closed) {
        return false;
      }
      try {
        return dialect.holdsAdvisoryLock(
            connection, lockName(name, dialect.maxAdvisoryLockNameLength()));
      } catch (SQLException e) {
        return false;
      }
    }
  }

  /** Releases the lock and ends its session. */
  @Override
  public void close() {
    synchronized (guard) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        dialect.releaseAdvisoryLock(
            connection, lockName(name, dialect.maxAdvisoryLockNameLength()));
      } catch (SQLException e) {
        // ending the session releases it anyway
      }
      closeQuietly(connection);
    }
    heartbeat.interrupt();
  }

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException | RuntimeException e) {
      // a broken session is released by the server
    }
  }

  /** Who holds the lock {@code key} on {@code server} now, or empty when it is free. */
  public static Optional<String> holder(ConnectionConfig server, String key) {
    try (Connection connection = Connections.open(server)) {
      Dialect detected = Dialects.detect(connection);
      return detected.advisoryLockHolder(
          connection, lockName(key, detected.maxAdvisoryLockNameLength()));
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot look up the lock " + key + ": " + SqlErrors.describe(e),
          e);
    }
  }
}
