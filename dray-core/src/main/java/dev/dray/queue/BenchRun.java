package dev.dray.queue;

import java.util.List;

/**
 * One benchmark run with what its report draws: the measured figures and the time series and
 * distributions collected during the run.
 *
 * @param result the figures ({@code dray queue bench} prints them)
 * @param samples jobs processed and enqueued so far, sampled every 100 ms or so from the start
 * @param commitMillis the per-commit latency at percentiles 0..100 (101 values; empty when there
 *     was no commit): from the start of a claim to the commit that completed its jobs
 * @param enqueueToClaimMillis how long jobs waited in the queue, at percentiles 0..100
 * @param jobsPerCommit jobs completed per commit, at percentiles 0..100 (the "bucket size")
 */
public record BenchRun(
    BenchResult result,
    List<Sample> samples,
    double[] commitMillis,
    double[] enqueueToClaimMillis,
    double[] jobsPerCommit) {

  /**
   * @param t seconds since the timed run started
   * @param processed jobs completed so far
   * @param enqueued jobs in the queue's history so far (preloaded ones included)
   */
  public record Sample(double t, long processed, long enqueued) {}
}
