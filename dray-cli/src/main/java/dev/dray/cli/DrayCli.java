package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.Secrets;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The {@code dray} command: parses arguments, runs one subcommand, maps errors to exit codes. */
@Command(
    name = "dray",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Moves table data fast and safely on MySQL-family databases.",
    subcommands = {
      DemoCommand.class,
      LoadCommand.class,
      CopyCommand.class,
      AlterCommand.class,
      VerifyCommand.class,
      QueueCommand.class,
      StatusCommand.class,
      CtlCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:failed (a one-line cause on stderr; --verbose for details)",
      "2:usage error",
      "3:verify found differences"
    },
    footer = {
      "",
      "From a source checkout, ./dray bench load|copy|queue runs the benchmarks of docs/BENCHMARKS.md."
    })
public final class DrayCli {
  @Option(
      names = {"-v", "--verbose"},
      scope = CommandLine.ScopeType.INHERIT,
      description = "Debug logging and stack traces of failures.")
  void setVerbose(boolean verbose) {
    Logging.setVerbose(verbose);
  }

  public static void main(String[] args) {
    System.exit(
        execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs dray with the given arguments and streams; returns the exit code (for tests and main). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return execute(args, out, err, System.getenv());
  }

  /**
   * As {@link #execute(String[], PrintWriter, PrintWriter)}, with the environment to read passwords
   * from.
   */
  public static int execute(
      String[] args, PrintWriter out, PrintWriter err, java.util.Map<String, String> environment) {
    CliEnvironment.set(environment);
    Logging.configure();
    CommandLine commandLine = new CommandLine(new DrayCli());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(DrayCli::handleFailure);
    commandLine.setParameterExceptionHandler(DrayCli::handleUsageError);
    commandLine.setExecutionStrategy(DrayCli::refuseUnknownWords);
    return commandLine.execute(args);
  }

  /**
   * picocli lets {@code --help} win over an unknown word, so {@code dray alter --help} (no such
   * command) printed the top-level help and exited 0; an unknown command is a usage error.
   */
  private static int refuseUnknownWords(CommandLine.ParseResult parseResult) {
    CommandLine.ParseResult last = parseResult;
    while (last.hasSubcommand()) {
      last = last.subcommand();
    }
    if (!last.unmatched().isEmpty()) {
      throw new CommandLine.UnmatchedArgumentException(
          last.commandSpec().commandLine(), last.unmatched());
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  private static int handleFailure(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof DrayException dray) {
      err.println("dray: " + Secrets.redact(dray.getMessage()));
      if (Logging.isVerbose()) {
        printStackTrace(e, err);
      }
      return dray.exitCode();
    }
    err.println("dray: unexpected failure: " + Secrets.redact(String.valueOf(e)));
    if (Logging.isVerbose()) {
      printStackTrace(e, err);
    } else {
      err.println("dray: run again with --verbose for the stack trace");
    }
    return 1;
  }

  private static int handleUsageError(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("dray: " + Secrets.redact(e.getMessage()));
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
      commandLine.usage(err);
    }
    return 2;
  }

  private static void printStackTrace(Exception e, PrintWriter err) {
    java.io.StringWriter text = new java.io.StringWriter();
    e.printStackTrace(new PrintWriter(text));
    err.print(Secrets.redact(text.toString()));
    err.flush();
  }
}
