package dev.dray.queue;

import dev.dray.DrayException;
import java.util.Locale;

/** How benchmark consumers take jobs (workload W3). */
public enum BenchStrategy {
  /**
   * One job per transaction with FOR UPDATE and no SKIP LOCKED: consumers queue behind each other.
   */
  SIMPLE,
  /** A fixed primary-key range (static) or fixed id blocks (dynamic) per consumer, FOR UPDATE. */
  CHUNK,
  /** dray's own workers: batches claimed with FOR UPDATE SKIP LOCKED. */
  SKIP_LOCKED;

  public static BenchStrategy parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw DrayException.usage(
          "unknown --strategy " + text + ": use simple, chunk or skip-locked");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
