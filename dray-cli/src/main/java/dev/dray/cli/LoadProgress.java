package dev.dray.cli;

import dev.dray.db.BinlogPosition;
import dev.dray.db.TableName;
import dev.dray.load.LoadListener;
import dev.dray.load.TaskReport;
import dev.dray.load.follow.BatchReport;
import dev.dray.plan.Task;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows a load's progress: on a terminal a bar redrawn in place (rows, rows/s, ETA, tasks); in a
 * log or pipe one line every few seconds, so CI logs stay readable.
 */
final class LoadProgress implements LoadListener, AutoCloseable {
  static final Duration TERMINAL_INTERVAL = Duration.ofMillis(250);
  static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
  private static final int BAR_WIDTH = 24;
  private static final String CLEAR_TO_END_OF_LINE = "\u001b[K";

  private final PrintWriter out;
  private final boolean terminal;
  private final AtomicInteger tasksDone = new AtomicInteger();
  private volatile int totalTasks;
  private volatile long estimatedRows;
  private volatile AtomicLong rowsLoaded;
  private volatile long startedNanos;
  private volatile Thread ticker;
  private volatile boolean drawn;

  LoadProgress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void planned(List<Task> tasks, int workers, int tasksAlreadyDone) {
    totalTasks = tasks.size();
    estimatedRows = tasks.stream().mapToLong(Task::estimatedRows).sum();
    out.printf(
        "plan: %d tasks%s, %d workers, about %,d rows%n",
        tasks.size(),
        tasksAlreadyDone > 0 ? " (" + tasksAlreadyDone + " done by the interrupted run)" : "",
        workers,
        estimatedRows);
    out.flush();
  }

  @Override
  public void started(AtomicLong rows) {
    rowsLoaded = rows;
    startedNanos = System.nanoTime();
    Duration interval = terminal ? TERMINAL_INTERVAL : LOG_INTERVAL;
    Thread thread =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.sleep(interval.toMillis());
                  draw();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "dray-load-progress");
    thread.setDaemon(true);
    ticker = thread;
    thread.start();
  }

  /** Where the load stands, for the Ctrl-C message: "3 of 12 tasks done, 45,000 rows". */
  String standing() {
    AtomicLong rows = rowsLoaded;
    return String.format(
        "%d of %d tasks done in this run, %,d rows",
        tasksDone.get(), totalTasks, rows == null ? 0 : rows.get());
  }

  private volatile long lastFollowLine;

  @Override
  public void snapshotPosition(BinlogPosition position) {
    out.printf("snapshot at binlog position %s%n", position);
    out.flush();
  }

  @Override
  public void followStarted(BinlogPosition position) {
    close();
    out.printf("following changes from %s%n", position);
    out.flush();
  }

  @Override
  public void reloading(TableName table, String statement) {
    out.printf("schema change on %s (%s): reloading it from a fresh snapshot%n", table, statement);
    out.flush();
  }

  /** One line per batch on a terminal (redrawn), one every few seconds in a log. */
  @Override
  public void batchApplied(BatchReport report) {
    long now = System.nanoTime();
    Duration interval = terminal ? TERMINAL_INTERVAL : LOG_INTERVAL;
    if (now - lastFollowLine < interval.toNanos()) {
      return;
    }
    lastFollowLine = now;
    String line =
        String.format(
            "following: %,d changes applied, batch %,d (%,d changes in %.0f ms), freshness %s, at %s",
            report.totalChanges(),
            report.number(),
            report.changes(),
            report.applySeconds() * 1000,
            report.freshnessSeconds() < 0
                ? "--"
                : String.format("%.2f s", report.freshnessSeconds()),
            report.position().coordinates());
    synchronized (this) {
      if (terminal) {
        out.print("\r" + line + CLEAR_TO_END_OF_LINE);
        drawn = true;
      } else {
        out.println("dray: " + line);
      }
      out.flush();
    }
  }

  @Override
  public void taskFinished(TaskReport report) {
    tasksDone.incrementAndGet();
  }

  private synchronized void draw() {
    AtomicLong rows = rowsLoaded;
    if (rows == null) {
      return;
    }
    double elapsed = (System.nanoTime() - startedNanos) / 1e9;
    String line = render(rows.get(), estimatedRows, tasksDone.get(), totalTasks, elapsed, terminal);
    if (terminal) {
      out.print("\r" + line + CLEAR_TO_END_OF_LINE); // a shorter line must not leave old characters
      drawn = true;
    } else {
      out.println("dray: " + line);
    }
    out.flush();
  }

  /** One progress line; the percentage stays below 100 until the last task is done. */
  static String render(
      long rows, long estimated, int done, int total, double elapsedSeconds, boolean bar) {
    double fraction =
        estimated <= 0 ? 0 : Math.min(rows / (double) estimated, done < total ? 0.99 : 1.0);
    double rate = elapsedSeconds <= 0 ? 0 : rows / elapsedSeconds;
    String eta = rate <= 0 || estimated <= rows ? "--" : formatSeconds((estimated - rows) / rate);
    StringBuilder line = new StringBuilder();
    if (bar) {
      int filled = (int) Math.round(fraction * BAR_WIDTH);
      line.append('[')
          .append("#".repeat(filled))
          .append(".".repeat(BAR_WIDTH - filled))
          .append("] ");
    }
    line.append(
        String.format(
            "%3d%%  %,d rows  %,.0f rows/s  ETA %s  tasks %d/%d",
            Math.round(fraction * 100), rows, rate, eta, done, total));
    return line.toString();
  }

  private static String formatSeconds(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }

  @Override
  public void close() {
    Thread thread = ticker;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ticker = null;
    if (terminal && drawn) {
      out.println();
      out.flush();
      drawn = false;
    }
  }
}
