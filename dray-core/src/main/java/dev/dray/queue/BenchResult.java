package dev.dray.queue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark run's measurements. Everything is counted or timed during the run; nothing is taken
 * from the configuration.
 */
public record BenchResult(
    String strategy,
    String mode,
    int consumers,
    int producers,
    long enqueued,
    long processed,
    long duplicates,
    long leftover,
    long deadlocks,
    long claimLoops,
    double wallSeconds,
    double throughputPerSecond,
    double itemMeanMillis,
    double itemP50Millis,
    double itemP99Millis,
    double claimP50Millis,
    double claimP99Millis,
    double enqueueToClaimP50Millis,
    double enqueueToClaimP99Millis,
    double insertP50Millis,
    double insertP99Millis,
    long bulkJobs,
    double bulkSeconds,
    double bulkJobsPerSecond,
    double insertDuringBulkP99Millis) {

  /** The JSON shape of {@code dray queue bench --report}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("strategy", strategy);
    map.put("mode", mode);
    map.put("consumers", consumers);
    map.put("producers", producers);
    map.put("enqueued", enqueued);
    map.put("processed", processed);
    map.put("duplicates", duplicates);
    map.put("leftover", leftover);
    map.put("deadlocks", deadlocks);
    map.put("claim_loops", claimLoops);
    map.put("wall_s", round(wallSeconds));
    map.put("throughput_per_s", round(throughputPerSecond));
    map.put("item_time_mean_ms", round(itemMeanMillis));
    map.put("item_time_p50_ms", round(itemP50Millis));
    map.put("item_time_p99_ms", round(itemP99Millis));
    map.put("claim_latency_p50_ms", round(claimP50Millis));
    map.put("claim_latency_p99_ms", round(claimP99Millis));
    map.put("enqueue_to_claim_p50_ms", round(enqueueToClaimP50Millis));
    map.put("enqueue_to_claim_p99_ms", round(enqueueToClaimP99Millis));
    map.put("insert_latency_p50_ms", round(insertP50Millis));
    map.put("insert_latency_p99_ms", round(insertP99Millis));
    if (bulkJobs > 0) {
      map.put("bulk_jobs", bulkJobs);
      map.put("bulk_s", round(bulkSeconds));
      map.put("bulk_jobs_per_s", round(bulkJobsPerSecond));
      map.put("insert_latency_during_bulk_p99_ms", round(insertDuringBulkP99Millis));
    }
    return map;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
