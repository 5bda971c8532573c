package dev.dray.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Samples a benchmark's counters in a background thread (two atomic reads every 100 ms), for the
 * report's throughput and backlog over time. Whenever {@link #MAX_SAMPLES} are held it keeps every
 * other one and samples half as often, so a long run stays bounded.
 */
final class BenchSampler {
  static final long INTERVAL_MILLIS = 100;
  static final int MAX_SAMPLES = 2_000;

  private final long startNanos;
  private final LongSupplier processed;
  private final LongSupplier enqueued;
  private final List<BenchRun.Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopped;

  BenchSampler(long startNanos, LongSupplier processed, LongSupplier enqueued) {
    this.startNanos = startNanos;
    this.processed = processed;
    this.enqueued = enqueued;
    this.thread = new Thread(this::loop, "dray-bench-sampler");
    thread.setDaemon(true);
  }

  void start() {
    sample();
    thread.start();
  }

  private void loop() {
    long step = INTERVAL_MILLIS;
    while (!stopped) {
      try {
        Thread.sleep(step);
      } catch (InterruptedException e) {
        return;
      }
      if (sample() >= MAX_SAMPLES) {
        synchronized (samples) {
          List<BenchRun.Sample> kept = new ArrayList<>();
          for (int i = 0; i < samples.size(); i += 2) {
            kept.add(samples.get(i));
          }
          samples.clear();
          samples.addAll(kept);
        }
        step *= 2;
      }
    }
  }

  private int sample() {
    double t = Math.round((System.nanoTime() - startNanos) / 1e6) / 1000.0;
    BenchRun.Sample sample = new BenchRun.Sample(t, processed.getAsLong(), enqueued.getAsLong());
    synchronized (samples) {
      samples.add(sample);
      return samples.size();
    }
  }

  /** Stops sampling after one last sample; the samples in time order. */
  List<BenchRun.Sample> stop() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }
}
