package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.run.Cancellation;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGTERM/SIGINT for a long-running online job: cancels the job instead of ending the JVM at once,
 * waits (up to a minute) for the job to wind down and save its position, then exits with the job's
 * code. Close it when the job is over.
 */
final class SignalStop implements AutoCloseable {
  private final Cancellation cancellation = new Cancellation();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger exitCode = new AtomicInteger(1);
  private final AtomicBoolean signalled = new AtomicBoolean();
  private final Thread hook;

  SignalStop(PrintWriter out, PrintWriter err) {
    hook =
        new Thread(
            () -> {
              signalled.set(true);
              cancellation.cancel(new DrayException(ErrorCode.INTERRUPTED, "stopped by a signal"));
              try {
                if (finished.await(60, TimeUnit.SECONDS)) {
                  out.flush();
                  err.flush();
                  Runtime.getRuntime().halt(exitCode.get());
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "dray-online-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  Cancellation cancellation() {
    return cancellation;
  }

  /** The job's exit code, for the process to end with once a signal stopped it. */
  void exitCode(int code) {
    exitCode.set(code);
  }

  boolean signalled() {
    return signalled.get();
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs: it waited for this run to finish and exits with its code
    }
  }
}
