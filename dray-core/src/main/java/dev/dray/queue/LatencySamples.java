package dev.dray.queue;

import java.util.Arrays;

/** Collects durations (in nanoseconds) from many threads; percentiles are read at the end. */
final class LatencySamples {
  private long[] values = new long[1024];
  private int size;

  synchronized void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  synchronized int size() {
    return size;
  }

  /**
   * The samples added between two {@link System#nanoTime()} marks are not tracked; all are used.
   */
  synchronized Summary summary() {
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    return new Summary(sorted);
  }

  /** Mean and percentiles in milliseconds; zeros when there are no samples. */
  record Summary(long[] sorted) {
    double meanMillis() {
      return sorted.length == 0 ? 0 : Arrays.stream(sorted).average().orElse(0) / 1e6;
    }

    double percentileMillis(double p) {
      return percentile(p) / 1e6;
    }

    /** The value at percentile {@code p} (nearest rank), 0 when there are no samples. */
    long percentile(double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** The values at percentiles 0, 1, ..., 100, divided by {@code unit}; empty without samples. */
    double[] percentiles(double unit) {
      if (sorted.length == 0) {
        return new double[0];
      }
      double[] curve = new double[101];
      for (int p = 0; p <= 100; p++) {
        curve[p] = Math.round(percentile(p) / unit * 1000) / 1000.0;
      }
      return curve;
    }
  }
}
