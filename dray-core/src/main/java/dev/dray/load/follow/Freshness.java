package dev.dray.load.follow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Freshness samples (seconds from source commit to visible), one per batch with changes, for the
 * percentiles of the report. Keeps a uniform sample of at most {@value #MAX_SAMPLES} so a follow of
 * days stays small; the maximum is exact.
 */
final class Freshness {
  static final int MAX_SAMPLES = 100_000;

  private final List<Double> samples = new ArrayList<>();
  private long seen;
  private double max;

  void add(double seconds) {
    seen++;
    max = Math.max(max, seconds);
    if (samples.size() < MAX_SAMPLES) {
      samples.add(seconds);
    } else {
      long slot = ThreadLocalRandom.current().nextLong(seen);
      if (slot < MAX_SAMPLES) {
        samples.set((int) slot, seconds);
      }
    }
  }

  double percentile(double p) {
    if (samples.isEmpty()) {
      return 0;
    }
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  double max() {
    return max;
  }
}
