package dev.dray.copy;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * When a copy pauses. Every setting is optional; unset ones never throttle.
 *
 * @param maxThreadsRunning pause while the source's Threads_running is above this (0 = off)
 * @param replicas replicas whose lag is watched
 * @param maxReplicaLag pause while any replica lags more than this
 * @param throttleQuery pause while this query (on the source) returns non-zero, or null
 * @param pauseFile pause while this file exists, or null
 * @param maxRowsPerSecond at most this many rows per second (0 = unlimited)
 */
public record ThrottleSettings(
    long maxThreadsRunning,
    List<ConnectionConfig> replicas,
    Duration maxReplicaLag,
    String throttleQuery,
    Path pauseFile,
    long maxRowsPerSecond) {
  public static final ThrottleSettings NONE =
      new ThrottleSettings(0, List.of(), null, null, null, 0);

  /** The replica lag limit when replicas are given without one. */
  public static final Duration DEFAULT_MAX_REPLICA_LAG = Duration.ofSeconds(1);

  public ThrottleSettings {
    replicas = List.copyOf(replicas == null ? List.of() : replicas);
    if (maxThreadsRunning < 0) {
      throw DrayException.usage("max threads running must not be negative");
    }
    if (maxRowsPerSecond < 0) {
      throw DrayException.usage("max rows per second must not be negative");
    }
    if (maxReplicaLag != null && maxReplicaLag.isNegative()) {
      throw DrayException.usage("max replica lag must not be negative");
    }
    if (maxReplicaLag != null && replicas.isEmpty()) {
      throw DrayException.usage(
          "a max replica lag needs at least one replica to watch (--replica URL)");
    }
    if (!replicas.isEmpty() && maxReplicaLag == null) {
      maxReplicaLag = DEFAULT_MAX_REPLICA_LAG;
    }
    if (throttleQuery != null && throttleQuery.isBlank()) {
      throttleQuery = null;
    }
  }
}
