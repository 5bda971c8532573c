package dev.dray.cli;

import dev.dray.copy.ApplyProgress;
import dev.dray.copy.CopyProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Prints an online copy's progress as one line every interval: the chunk copy (until it is done)
 * and the applier side by side.
 */
final class OnlineProgressPrinter implements AutoCloseable {
  private final PrintWriter err;
  private final Duration interval;
  private volatile Supplier<CopyProgress> copy;
  private volatile Supplier<ApplyProgress> apply;
  private volatile boolean copyDone;
  private volatile boolean closed;
  private Thread thread;

  OnlineProgressPrinter(PrintWriter err, Duration interval) {
    this.err = err;
    this.interval = interval;
  }

  void copy(Supplier<CopyProgress> supplier) {
    this.copy = supplier;
  }

  void copyDone() {
    this.copyDone = true;
  }

  void apply(Supplier<ApplyProgress> supplier) {
    this.apply = supplier;
    if (interval.isZero() || interval.isNegative() || thread != null) {
      return;
    }
    thread = new Thread(this::loop, "dray-online-progress");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (!closed) {
        err.println(line());
        err.flush();
      }
    }
  }

  private String line() {
    StringBuilder line = new StringBuilder();
    Supplier<CopyProgress> copyProgress = copy;
    if (copyProgress != null && !copyDone) {
      line.append(CopyProgressPrinter.line(copyProgress.get())).append(" || ");
    }
    Supplier<ApplyProgress> applyProgress = apply;
    if (applyProgress != null) {
      line.append(line(applyProgress.get()));
    }
    return line.toString();
  }

  static String line(ApplyProgress p) {
    return String.format(
        "apply: %,d changes in %,d transactions | lag %.1f s | %,d held for their chunk | at %s",
        p.changesApplied(), p.transactionsApplied(), p.lagSeconds(), p.held(), p.applied());
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
