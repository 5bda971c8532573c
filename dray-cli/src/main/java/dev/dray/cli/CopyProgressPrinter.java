package dev.dray.cli;

import dev.dray.copy.CopyProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;

/**
 * Prints a copy's progress as one line every interval, starting with the time of day (a log line,
 * so it reads well in CI logs and terminals alike): rows copied of the estimate, rows/s, ETA, the
 * frontier and why it is throttled.
 */
final class CopyProgressPrinter implements AutoCloseable {
  /** Always with seconds: LocalTime's toString drops them when they are zero. */
  private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final PrintWriter err;
  private final Duration interval;
  private volatile Supplier<CopyProgress> progress;
  private volatile boolean closed;
  private Thread thread;

  CopyProgressPrinter(PrintWriter err, Duration interval) {
    this.err = err;
    this.interval = interval;
  }

  void start(Supplier<CopyProgress> supplier) {
    this.progress = supplier;
    if (interval.isZero() || interval.isNegative()) {
      return;
    }
    thread = new Thread(this::loop, "dray-copy-progress");
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
        err.println(LocalTime.now().format(TIME_OF_DAY) + " " + line(progress.get()));
        err.flush();
      }
    }
  }

  static String line(CopyProgress p) {
    StringBuilder line = new StringBuilder("copy: ");
    line.append(String.format("%,d", p.rowsCopied()));
    if (p.estimatedRows() > 0) {
      line.append(
          String.format(
              " / ~%,d rows (%.0f%%)",
              p.estimatedRows(), Math.min(100.0, 100.0 * p.rowsCopied() / p.estimatedRows())));
    } else {
      line.append(" rows");
    }
    line.append(String.format(" | %,.0f rows/s", p.rowsPerSecond()));
    double eta = p.etaSeconds();
    line.append(" | ETA ").append(eta < 0 ? "?" : formatSeconds(eta));
    line.append(" | frontier #").append(p.frontierSequence());
    if (p.pendingChunks() > 0) {
      line.append(" (+").append(p.pendingChunks()).append(" waiting)");
    }
    line.append(" | chunk ").append(p.chunkRows());
    line.append(p.throttleReason() == null ? " | running" : " | THROTTLED: " + p.throttleReason());
    return line.toString();
  }

  private static String formatSeconds(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
