package dev.dray.queue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a queue.
 *
 * @param ready jobs claimable now
 * @param delayed jobs waiting for their retry backoff or delay (state ready, not yet visible)
 * @param leased jobs a worker holds
 * @param dead jobs that failed their last attempt
 * @param done rows in the done table, or -1 without one
 * @param oldestReadyAgeSeconds age of the oldest claimable job, 0 when none
 * @param completedLastMinute completions in the last 60 s from the done table, or -1 without one
 * @param throughputPerSecond completions per second measured over the sample, or -1 if not sampled
 */
public record QueueStats(
    long ready,
    long delayed,
    long leased,
    long dead,
    long done,
    double oldestReadyAgeSeconds,
    long completedLastMinute,
    double throughputPerSecond) {

  long open() {
    return ready + delayed + leased;
  }

  QueueStats withThroughput(double perSecond) {
    return new QueueStats(
        ready, delayed, leased, dead, done, oldestReadyAgeSeconds, completedLastMinute, perSecond);
  }

  /** The JSON shape of {@code dray queue stats --json}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("ready", ready);
    map.put("delayed", delayed);
    map.put("leased", leased);
    map.put("dead", dead);
    map.put("done", done);
    map.put("oldest_ready_age_s", oldestReadyAgeSeconds);
    map.put("completed_last_minute", completedLastMinute);
    map.put("throughput_per_s", throughputPerSecond);
    return map;
  }
}
