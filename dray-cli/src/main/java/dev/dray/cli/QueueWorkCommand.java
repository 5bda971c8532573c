package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.Secrets;
import dev.dray.queue.HandlerEnvironment;
import dev.dray.queue.Handlers;
import dev.dray.queue.JobQueue;
import dev.dray.queue.QueueWorkers;
import dev.dray.queue.WorkListener;
import dev.dray.queue.WorkResult;
import dev.dray.report.JobTimeline;
import dev.dray.report.QueueWorkTimeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dray queue work}: N worker threads until stopped (SIGTERM: graceful) or the queue is
 * empty.
 */
@Command(
    name = "work",
    mixinStandardHelpOptions = true,
    header = "Processes jobs with N worker threads; SIGTERM/Ctrl-C stops gracefully.",
    footer = {
      "",
      "Example:",
      "  ./dray queue work --db jdbc:mariadb://127.0.0.1:3306/shop --queue emails \\",
      "        --workers 4 --handler exec:./send-mail.sh --until-empty"
    },
    description = {
      "Processes jobs with N worker threads. SIGTERM/Ctrl-C stops gracefully: claimed jobs not yet",
      "started are given back, running jobs get --grace-period to finish and are then stopped and",
      "handed back without charging their attempt; the summary is printed and the exit code is 0."
    })
public final class QueueWorkCommand implements Callable<Integer> {
  /** Time after the grace period for handing jobs back and printing the summary. */
  private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

  @Spec CommandSpec spec;

  @Mixin QueueTarget target;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description =
          "Write a report when the workers stop: JSON (the summary's figures), or with a .html name"
              + " one self-contained page with every claimed batch on its worker's lane and jobs/s"
              + " over time.")
  Path report;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Worker threads, 1 to " + MAX_WORKERS + " (default: ${DEFAULT-VALUE}).")
  int workers = 4;

  /** Each worker holds a connection while it claims: more would exhaust max_connections. */
  static final int MAX_WORKERS = 256;

  @Option(
      names = "--handler",
      required = true,
      paramLabel = "HANDLER",
      description =
          "noop | sleep:MS | exec:COMMAND (sh -c COMMAND, payload on stdin, DRAY_JOB_ID in the environment).")
  String handler;

  @Option(
      names = "--handler-env",
      paramLabel = "VAR",
      description =
          "Pass this environment variable on to exec: handlers (repeatable). Handlers otherwise get"
              + " only PATH, HOME, USER, LOGNAME, SHELL, LANG, LANGUAGE, LC_*, TZ, TMPDIR, TERM and"
              + " DRAY_JOB_ID, DRAY_JOB_ATTEMPT, DRAY_QUEUE; never the --password-env variable.")
  List<String> handlerEnv = new ArrayList<>();

  @Option(
      names = "--grace-period",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "On SIGTERM, how long running jobs may finish before they are stopped and handed back"
              + " uncharged (default: 20s).")
  Duration gracePeriod = QueueWorkers.DEFAULT_GRACE_PERIOD;

  @Option(
      names = "--lease",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Lease per claim, extended by heartbeats while a job runs (default: 30s).")
  Duration lease = QueueWorkers.DEFAULT_LEASE;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      description =
          "Attempts before a job is dead, unless it sets its own (default: ${DEFAULT-VALUE}).")
  int maxAttempts = JobQueue.DEFAULT_MAX_ATTEMPTS;

  @Option(
      names = "--retry-backoff",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Wait before the first retry; doubles with jitter up to 5m (default: 1s).")
  Duration retryBackoff = JobQueue.DEFAULT_RETRY_BACKOFF;

  @Option(
      names = "--batch",
      paramLabel = "N",
      description =
          "Largest batch per claim (default: ${DEFAULT-VALUE}); the batch adapts below it.")
  int batch = QueueWorkers.DEFAULT_MAX_BATCH;

  @Option(
      names = "--max-poll-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Longest wait between polls of an empty queue (default: 100ms).")
  Duration maxPollInterval = QueueWorkers.DEFAULT_MAX_POLL_INTERVAL;

  @Option(
      names = "--concurrent-claims",
      paramLabel = "N",
      description =
          "At most N threads claim at once (default: ${DEFAULT-VALUE}; 0: no limit); handlers still run on all workers.")
  int concurrentClaims = QueueWorkers.DEFAULT_CONCURRENT_CLAIMS;

  @Option(names = "--until-empty", description = "Exit when no job is ready, delayed or leased.")
  boolean untilEmpty;

  @Override
  public Integer call() {
    if (workers < 1 || workers > MAX_WORKERS) {
      throw dev.dray.DrayException.usage(
          "--workers must be between 1 and " + MAX_WORKERS + ", not " + workers);
    }
    JobQueue jobQueue =
        JobQueue.builder()
            .connection(target.config())
            .queue(target.queue)
            .maxAttempts(maxAttempts)
            .retryBackoff(
                retryBackoff,
                retryBackoff.compareTo(JobQueue.DEFAULT_MAX_RETRY_BACKOFF) > 0
                    ? retryBackoff
                    : JobQueue.DEFAULT_MAX_RETRY_BACKOFF)
            .build();
    OutputPaths.requireWritable("--report", report);
    JobReporting reporting =
        JobReporting.of("queue work", "queue " + target.queue, report, null, false);
    JobTimeline timeline = reporting.timeline();
    if (timeline != null) {
      timeline.workers(workers);
      timeline.settings(settings());
    }
    QueueWorkers pool =
        QueueWorkers.builder(jobQueue)
            .listener(
                timeline == null
                    ? WorkListener.NONE
                    : new QueueWorkTimeline(timeline, target.queue))
            .workers(workers)
            .handler(Handlers.parse(handler, target.queue, handlerEnvironment()))
            .gracePeriod(gracePeriod)
            .lease(lease)
            .maxBatch(batch)
            .maxPollInterval(maxPollInterval)
            .untilEmpty(untilEmpty)
            .concurrentClaims(concurrentClaims)
            .build();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // SIGTERM runs this hook; the JVM halts when it returns, so it waits for the pool's graceful
    // stop (grace period, then hand-back) and the summary, then exits with the stop's own code.
    CountDownLatch reported = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger(1);
    AtomicBoolean signalled = new AtomicBoolean();
    Thread hook =
        new Thread(
            () -> {
              signalled.set(true);
              pool.stop();
              boolean done = false;
              try {
                done =
                    reported.await(gracePeriod.plus(STOP_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              if (!done) {
                err.println(
                    "dray: the graceful stop of queue "
                        + target.queue
                        + " did not finish within "
                        + gracePeriod.plus(STOP_MARGIN).toSeconds()
                        + " s; handler processes were killed and jobs still leased come back"
                        + " after their lease");
                err.flush();
                // never leave a handler process behind
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
              }
              Runtime.getRuntime().halt(done ? exitCode.get() : 1);
            },
            "dray-queue-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      if (timeline != null) {
        timeline.startSampling();
      }
      WorkResult result = pool.run();
      report(out, result);
      reporting.succeeded(result);
      if (report != null && !JobReporting.isHtml(report)) {
        Reports.write(report, result);
      }
      exitCode.set(0);
    } catch (DrayException e) {
      reporting.failed(e);
      exitCode.set(e.exitCode());
      if (signalled.get()) {
        // the hook halts the JVM before the usual error handler could print this
        err.println("dray: " + Secrets.redact(e.getMessage()));
        err.flush();
      }
      throw e;
    } finally {
      reported.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it waited for the report and exits with its code
      }
    }
    return 0;
  }

  /**
   * The environment of exec: handlers: the allow-list plus --handler-env, never the password
   * variable.
   */
  private java.util.Map<String, String> handlerEnvironment() {
    List<String> forbidden = new ArrayList<>();
    if (target.connection.passwordEnv != null) {
      forbidden.add(target.connection.passwordEnv);
    }
    return HandlerEnvironment.of(CliEnvironment.get(), handlerEnv, forbidden);
  }

  /** What the HTML report shows as the settings used. */
  private java.util.Map<String, Object> settings() {
    java.util.Map<String, Object> settings = new java.util.LinkedHashMap<>();
    settings.put("queue", target.queue);
    settings.put("handler", handler);
    settings.put("workers", workers);
    settings.put("batch", batch);
    settings.put("lease", lease.toString());
    settings.put("untilEmpty", untilEmpty);
    settings.put("concurrentClaims", concurrentClaims);
    return settings;
  }

  private void report(PrintWriter out, WorkResult result) {
    out.printf(
        "processed %,d jobs in %.2f s (%,.0f jobs/s) with %d workers: %d failed attempts, %d dead, %d released, %d handed back, %,d claims%n",
        result.processed(),
        result.seconds(),
        result.jobsPerSecond(),
        workers,
        result.failedAttempts(),
        result.dead(),
        result.released(),
        result.handedBack(),
        result.claims());
    out.flush();
  }
}
