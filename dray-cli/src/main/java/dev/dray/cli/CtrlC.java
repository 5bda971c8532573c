package dev.dray.cli;

import dev.dray.Secrets;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a long job says on Ctrl-C (SIGINT) or SIGTERM: how far it got, whether its state is kept,
 * and the exact command that continues it. The JVM then exits with 130 as after any SIGINT.
 *
 * <p>The job is not cancelled first: its state is exactly what a crash leaves (copy's gap-free
 * checkpoint, load's committed tasks), which is what {@code --resume} is built and tested for; a
 * cancellation would make load drop its staging as after a failure.
 */
final class CtrlC implements AutoCloseable {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,^-]+");

  private final Thread hook;
  private volatile boolean finished;

  private CtrlC(PrintWriter err, Supplier<List<String>> lines) {
    this.hook =
        new Thread(
            () -> {
              if (finished) {
                return;
              }
              err.println();
              for (String line : lines.get()) {
                err.println("dray: " + line);
              }
              err.flush();
            },
            "dray-ctrl-c");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Prints {@code lines} when the process is interrupted before {@link #close()}. */
  static CtrlC onInterrupt(PrintWriter err, Supplier<List<String>> lines) {
    return new CtrlC(err, lines);
  }

  /** The job ended (or failed) by itself: nothing to say on a later signal. */
  @Override
  public void close() {
    finished = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or ran: it printed already
    }
  }

  /**
   * This run's command line as the user typed it, with {@code extra} added when missing (for
   * example {@code --resume}); URL passwords masked, password options kept as given (they name a
   * variable or a file, not the password).
   */
  static String commandLine(CommandSpec spec, String... extra) {
    List<String> args = new ArrayList<>(spec.root().commandLine().getParseResult().originalArgs());
    for (String flag : extra) {
      if (!args.contains(flag)) {
        args.add(flag);
      }
    }
    StringBuilder line = new StringBuilder("dray");
    for (String arg : args) {
      line.append(' ').append(shellQuoted(Secrets.redact(arg)));
    }
    return line.toString();
  }

  static String shellQuoted(String arg) {
    return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }
}
