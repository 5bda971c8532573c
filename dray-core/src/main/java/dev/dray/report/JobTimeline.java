package dev.dray.report;

import static java.util.Objects.requireNonNull;

import dev.dray.Secrets;
import dev.dray.run.RuntimeControls;
import dev.dray.run.TaskListener;
import dev.dray.run.ThrottleListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Records what a job did over time, for the HTML report and the live status page: every task on its
 * worker lane (start, end, rows, retries, outcome), the intervals during which the throttler held
 * workers back (with the reason), periodic samples of rows, rows/s, chunk size and apply lag, and
 * the operator's changes. Thread-safe: workers, the throttler and the sampler thread feed it at
 * once. Recording costs one small object per task and one per sample (every {@link
 * #DEFAULT_SAMPLE_INTERVAL}); the sample interval doubles whenever {@link #MAX_SAMPLES} are held,
 * so a long job keeps a bounded number of samples.
 */
public final class JobTimeline {
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(250);
  static final int MAX_SAMPLES = 2_000;

  private final String kind;
  private final String title;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private final long startedAtEpochMillis;
  private final Object lock = new Object();
  private final List<TimelineSnapshot.TaskEntry> tasks = new ArrayList<>();
  private final List<TimelineSnapshot.ThrottleEntry> throttles = new ArrayList<>();
  private final List<TimelineSnapshot.Sample> samples = new ArrayList<>();
  private final List<TimelineSnapshot.Note> notes = new ArrayList<>();
  private final Map<Integer, OpenTask> running = new ConcurrentHashMap<>();
  private final ThreadLocal<OpenTask> current = new ThreadLocal<>();

  private volatile int workers;
  private volatile LongSupplier rowsGauge;
  private volatile LongSupplier chunkRowsGauge;
  private volatile DoubleSupplier applyLagGauge;
  private volatile Map<String, Object> settings = Map.of();
  private volatile Supplier<Map<String, Object>> controls;
  private Object summary;
  private String outcome = "running";
  private boolean finished;
  private double endSeconds;
  private String throttleReason;
  private double throttleStart;
  private long lastSampleRows;
  private double lastSampleT;
  private Thread sampler;
  private volatile boolean stopped;

  /** A mutable open task: only its own worker thread writes to it. */
  private static final class OpenTask {
    final int worker;
    final String label;
    final String group;
    volatile double start;
    volatile double waited;
    volatile long rows;
    volatile int retries;

    OpenTask(int worker, String label, String group, double start) {
      this.worker = worker;
      this.label = label;
      this.group = group;
      this.start = start;
    }
  }

  JobTimeline(String kind, String title, LongSupplier nanoTime, long epochMillis) {
    this.kind = requireNonNull(kind, "kind is null");
    this.title = title == null ? kind : Secrets.redact(title);
    this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    this.startNanos = nanoTime.getAsLong();
    this.startedAtEpochMillis = epochMillis;
  }

  /** A timeline that starts now. */
  public static JobTimeline start(String kind, String title) {
    return new JobTimeline(kind, title, System::nanoTime, System.currentTimeMillis());
  }

  private double now() {
    return (nanoTime.getAsLong() - startNanos) / 1e9;
  }

  public String kind() {
    return kind;
  }

  /** How many worker lanes the job runs. */
  public void workers(int count) {
    this.workers = count;
  }

  /** The settings used; passwords are masked here (see {@link MaskedSettings}). */
  public void settings(Object jobSettings) {
    this.settings = MaskedSettings.of(jobSettings);
  }

  /** Where the live page reads the controls' state from. */
  public void controls(RuntimeControls runtimeControls) {
    this.controls = () -> ControlState.of(runtimeControls);
    runtimeControls.onChange(this::note);
  }

  /** What to sample: the rows done so far. */
  public void sampleRows(LongSupplier rows) {
    this.rowsGauge = rows;
  }

  /** What to sample: the chunk size in force. */
  public void sampleChunkRows(LongSupplier chunkRows) {
    this.chunkRowsGauge = chunkRows;
  }

  /** What to sample: an online job's apply lag in seconds. */
  public void sampleApplyLag(DoubleSupplier lagSeconds) {
    this.applyLagGauge = lagSeconds;
  }

  /** Starts sampling the gauges in a background thread until {@link #finish}. */
  public void startSampling(Duration interval) {
    synchronized (lock) {
      if (sampler != null) {
        return;
      }
      sampler =
          new Thread(
              () -> {
                long step = interval.toMillis();
                while (!stopped) {
                  try {
                    Thread.sleep(step);
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (sample() >= MAX_SAMPLES) {
                    thinSamples();
                    step *= 2;
                  }
                }
              },
              "dray-timeline-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }
  }

  public void startSampling() {
    startSampling(DEFAULT_SAMPLE_INTERVAL);
  }

  /** Takes one sample now; returns how many samples are held. */
  int sample() {
    LongSupplier rows = rowsGauge;
    LongSupplier chunk = chunkRowsGauge;
    DoubleSupplier lag = applyLagGauge;
    long rowsNow = rows == null ? 0 : rows.getAsLong();
    Long chunkNow = chunk == null ? null : chunk.getAsLong();
    Double lagNow = lag == null ? null : lag.getAsDouble();
    synchronized (lock) {
      double t = now();
      double span = t - lastSampleT;
      double rate = span > 0 ? (rowsNow - lastSampleRows) / span : 0;
      samples.add(
          new TimelineSnapshot.Sample(round(t), rowsNow, Math.round(rate), chunkNow, lagNow));
      lastSampleRows = rowsNow;
      lastSampleT = t;
      return samples.size();
    }
  }

  /** Keeps every other sample, so a long job's samples stay bounded. */
  private void thinSamples() {
    synchronized (lock) {
      List<TimelineSnapshot.Sample> kept = new ArrayList<>(samples.size() / 2 + 1);
      for (int i = 0; i < samples.size(); i += 2) {
        kept.add(samples.get(i));
      }
      samples.clear();
      samples.addAll(kept);
    }
  }

  /**
   * Feeds the timeline from a worker pool.
   *
   * @param label names a task
   * @param group what colours a task (table and partition)
   * @param rows the rows a finished task moved, or null when the rows arrive through {@link
   *     #rowsWritten} on the worker's thread
   */
  public <T> TaskListener<T> taskListener(
      Function<T, String> label, Function<T, String> group, ToLongFunction<T> rows) {
    return new TaskListener<>() {
      @Override
      public void started(T task, int workerIndex) {
        OpenTask open = new OpenTask(workerIndex, label.apply(task), group.apply(task), now());
        current.set(open);
        running.put(workerIndex, open);
      }

      @Override
      public void retrying(T task, int workerIndex, int attempt, Throwable failure) {
        OpenTask open = running.get(workerIndex);
        if (open != null) {
          open.retries = attempt;
        }
      }

      @Override
      public void finished(T task, int workerIndex, int attempts, long nanos) {
        close(workerIndex, attempts, rows == null ? -1 : rows.applyAsLong(task), "ok");
      }

      @Override
      public void failed(T task, int workerIndex, int attempts, long nanos, Throwable failure) {
        close(workerIndex, attempts, -1, "failed");
      }
    };
  }

  private void close(int workerIndex, int attempts, long rows, String taskOutcome) {
    OpenTask open = running.remove(workerIndex);
    current.remove();
    if (open == null) {
      return;
    }
    TimelineSnapshot.TaskEntry entry =
        new TimelineSnapshot.TaskEntry(
            open.worker,
            open.label,
            open.group,
            round(open.start),
            round(now()),
            rows >= 0 ? rows : open.rows,
            attempts - 1,
            round(open.waited),
            taskOutcome);
    synchronized (lock) {
      tasks.add(entry);
    }
  }

  /** Rows written by the task running on the calling thread. */
  public void rowsWritten(long rows) {
    OpenTask open = current.get();
    if (open != null) {
      open.rows += rows;
    }
  }

  /** Feeds the timeline from a throttler. */
  public ThrottleListener throttleListener() {
    return new ThrottleListener() {
      @Override
      public void throttled(String reason) {
        throttledBecause(Secrets.redact(reason));
      }

      @Override
      public void cleared() {
        throttleCleared();
      }

      @Override
      public void rowsWritten(long rows) {
        JobTimeline.this.rowsWritten(rows);
      }

      @Override
      public void workerResumed(long nanos) {
        // a task's bar starts when its work starts: the wait shows as a throttled band instead
        OpenTask open = current.get();
        if (open != null) {
          open.waited += nanos / 1e9;
          open.start = now();
        }
      }
    };
  }

  private void throttledBecause(String reason) {
    synchronized (lock) {
      if (reason.equals(throttleReason)) {
        return;
      }
      double t = now();
      if (throttleReason != null) {
        throttles.add(
            new TimelineSnapshot.ThrottleEntry(round(throttleStart), round(t), throttleReason));
      }
      throttleReason = reason;
      throttleStart = t;
    }
  }

  private void throttleCleared() {
    synchronized (lock) {
      if (throttleReason != null) {
        throttles.add(
            new TimelineSnapshot.ThrottleEntry(round(throttleStart), round(now()), throttleReason));
        throttleReason = null;
      }
    }
  }

  /** Records an event (an operator's change, a phase of the job). */
  public void note(String text) {
    synchronized (lock) {
      notes.add(new TimelineSnapshot.Note(round(now()), Secrets.redact(text)));
    }
  }

  /** The job is over: stops sampling (after one last sample) and keeps its result. */
  public void finish(Object result, Throwable failure) {
    stopSampler();
    sample();
    synchronized (lock) {
      throttleCleared();
      finished = true;
      endSeconds = now();
      summary = result == null ? null : MaskedSettings.of(result);
      outcome = failure == null ? "ok" : Secrets.redact(String.valueOf(failure.getMessage()));
    }
  }

  private void stopSampler() {
    Thread thread;
    synchronized (lock) {
      stopped = true;
      thread = sampler;
    }
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** What was recorded so far; running tasks and an ongoing throttle end "now". */
  public TimelineSnapshot snapshot() {
    Supplier<Map<String, Object>> controlState = controls;
    synchronized (lock) {
      double t = finished ? endSeconds : now();
      List<TimelineSnapshot.TaskEntry> allTasks = new ArrayList<>(tasks);
      for (OpenTask open : running.values()) {
        allTasks.add(
            new TimelineSnapshot.TaskEntry(
                open.worker,
                open.label,
                open.group,
                round(open.start),
                round(t),
                open.rows,
                open.retries,
                round(open.waited),
                "running"));
      }
      List<TimelineSnapshot.ThrottleEntry> allThrottles = new ArrayList<>(throttles);
      if (throttleReason != null) {
        allThrottles.add(
            new TimelineSnapshot.ThrottleEntry(round(throttleStart), round(t), throttleReason));
      }
      int lanes = workers;
      for (TimelineSnapshot.TaskEntry task : allTasks) {
        lanes = Math.max(lanes, task.worker() + 1);
      }
      return new TimelineSnapshot(
          kind,
          title,
          startedAtEpochMillis,
          round(t),
          finished,
          outcome,
          lanes,
          allTasks,
          allThrottles,
          List.copyOf(samples),
          List.copyOf(notes),
          summary,
          settings,
          finished || controlState == null ? null : controlState.get());
    }
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }
}
