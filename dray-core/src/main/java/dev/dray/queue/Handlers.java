package dev.dray.queue;

import dev.dray.DrayException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The built-in handlers of {@code dray queue work --handler}: noop, sleep:MS and exec:COMMAND. */
public final class Handlers {
  private static final int MAX_STDERR = 500;

  private Handlers() {}

  /** Does nothing: for benchmarks. */
  public static JobHandler noop() {
    return job -> {};
  }

  /** Sleeps a fixed time per job: a stand-in for I/O-bound work. */
  public static JobHandler sleep(long millis) {
    return job -> Thread.sleep(millis);
  }

  /**
   * Runs {@code sh -c COMMAND} per job with the payload on standard input; the environment is
   * {@link HandlerEnvironment#defaults()} plus DRAY_JOB_ID, DRAY_JOB_ATTEMPT and DRAY_QUEUE.
   */
  public static JobHandler exec(String command, String queueName) {
    return exec(command, queueName, HandlerEnvironment.defaults());
  }

  /**
   * Runs {@code sh -c COMMAND} per job with the payload on standard input and exactly {@code
   * environment} plus DRAY_JOB_ID, DRAY_JOB_ATTEMPT and DRAY_QUEUE as its environment (nothing of
   * the worker's own environment leaks in). Exit code 0 completes the job; anything else fails the
   * attempt with the exit code and the end of standard error as the error. When the worker thread
   * is interrupted (a graceful stop whose grace period ran out), the command's whole process tree
   * is stopped (SIGTERM, then SIGKILL after {@link #KILL_AFTER}) before the handler returns, so no
   * handler process outlives its job.
   */
  public static JobHandler exec(String command, String queueName, Map<String, String> environment) {
    Map<String, String> base = Map.copyOf(environment);
    return job -> {
      ProcessBuilder builder = new ProcessBuilder("sh", "-c", command);
      Map<String, String> env = builder.environment();
      env.clear();
      env.putAll(base);
      env.put("DRAY_JOB_ID", Long.toString(job.id()));
      env.put("DRAY_JOB_ATTEMPT", Integer.toString(job.attempt()));
      env.put("DRAY_QUEUE", queueName);
      builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
      Process process = builder.start();
      try {
        // Input and error output go through helper threads, so that this thread only ever waits
        // in waitFor(), which an interrupt ends (a blocked pipe read or write would not).
        PIPES.execute(() -> writeInput(process, job.payload()));
        Future<String> stderr = PIPES.submit(() -> tail(process.getErrorStream()));
        int exit = process.waitFor();
        if (exit != 0) {
          String text;
          try {
            text = stderr.get(5, TimeUnit.SECONDS);
          } catch (ExecutionException | TimeoutException e) {
            text = "";
          }
          throw new IllegalStateException(
              "command exited with " + exit + (text.isEmpty() ? "" : ": " + text));
        }
      } finally {
        if (process.isAlive()) {
          destroyTree(process);
        }
      }
    };
  }

  /** How long a handler's processes get between SIGTERM and SIGKILL. */
  static final Duration KILL_AFTER = Duration.ofSeconds(5);

  private static final ExecutorService PIPES =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "dray-handler-pipe");
            thread.setDaemon(true);
            return thread;
          });

  private static void writeInput(Process process, String payload) {
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(payload.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // the command need not read its input
    }
  }

  private static String tail(InputStream stderr) throws IOException {
    byte[] bytes = stderr.readAllBytes();
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    return text.length() > MAX_STDERR ? "..." + text.substring(text.length() - MAX_STDERR) : text;
  }

  /**
   * Stops a handler's command and everything it started: SIGTERM to the whole tree, SIGKILL to what
   * is still alive after {@link #KILL_AFTER}. Waits for the tree to be gone (uninterruptibly: the
   * caller is usually stopping because it was interrupted).
   */
  static void destroyTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>();
    process.descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + KILL_AFTER.toNanos();
    boolean interrupted = false;
    while (System.nanoTime() < deadline && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    // children started meanwhile, and whatever ignored SIGTERM
    process.descendants().forEach(tree::add);
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(KILL_AFTER.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException | TimeoutException ignored) {
        // SIGKILL was sent; nothing more can be done
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Parses {@code noop}, {@code sleep:MS} or {@code exec:COMMAND}. */
  public static JobHandler parse(String spec, String queueName) {
    return parse(spec, queueName, HandlerEnvironment.defaults());
  }

  /** As {@link #parse(String, String)}, with the environment of {@code exec:} handlers. */
  public static JobHandler parse(String spec, String queueName, Map<String, String> environment) {
    if (spec == null || spec.isBlank()) {
      throw DrayException.usage("--handler is empty: use noop, sleep:MS or exec:COMMAND");
    }
    if (spec.equals("noop")) {
      return noop();
    }
    if (spec.startsWith("sleep:")) {
      try {
        long millis = Long.parseLong(spec.substring("sleep:".length()).trim());
        if (millis < 0) {
          throw new NumberFormatException();
        }
        return sleep(millis);
      } catch (NumberFormatException e) {
        throw DrayException.usage("--handler sleep:MS needs a number of milliseconds, got " + spec);
      }
    }
    if (spec.startsWith("exec:") && spec.length() > "exec:".length()) {
      return exec(spec.substring("exec:".length()), queueName, environment);
    }
    throw DrayException.usage("unknown --handler " + spec + ": use noop, sleep:MS or exec:COMMAND");
  }
}
