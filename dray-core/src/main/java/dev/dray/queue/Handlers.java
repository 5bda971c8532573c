package dev.dray.queue;

import dev.dray.DrayException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

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
   * Runs {@code sh -c COMMAND} per job with the payload on standard input and DRAY_JOB_ID,
   * DRAY_JOB_ATTEMPT and DRAY_QUEUE in the environment. Exit code 0 completes the job; anything
   * else fails the attempt with the exit code and the end of standard error as the error.
   */
  public static JobHandler exec(String command, String queueName) {
    return job -> {
      ProcessBuilder builder = new ProcessBuilder("sh", "-c", command);
      builder.environment().put("DRAY_JOB_ID", Long.toString(job.id()));
      builder.environment().put("DRAY_JOB_ATTEMPT", Integer.toString(job.attempt()));
      builder.environment().put("DRAY_QUEUE", queueName);
      builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
      Process process = builder.start();
      try {
        try (OutputStream stdin = process.getOutputStream()) {
          stdin.write(job.payload().getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // the command need not read its input
        }
        byte[] stderr = process.getErrorStream().readAllBytes();
        int exit = process.waitFor();
        if (exit != 0) {
          String text = new String(stderr, StandardCharsets.UTF_8).strip();
          if (text.length() > MAX_STDERR) {
            text = "..." + text.substring(text.length() - MAX_STDERR);
          }
          throw new IllegalStateException(
              "command exited with " + exit + (text.isEmpty() ? "" : ": " + text));
        }
      } finally {
        if (process.isAlive()) {
          process.destroy();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
    };
  }

  /** Parses {@code noop}, {@code sleep:MS} or {@code exec:COMMAND}. */
  public static JobHandler parse(String spec, String queueName) {
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
      return exec(spec.substring("exec:".length()), queueName);
    }
    throw DrayException.usage("unknown --handler " + spec + ": use noop, sleep:MS or exec:COMMAND");
  }
}
