package dev.dray.cli;

import dev.dray.queue.JobQueue;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray queue init}: creates a queue's table. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = "Creates the queue table (kept if it exists).")
public final class QueueInitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin QueueTarget target;

  @Option(
      names = "--done-table",
      description = "Also create NAME_done: completed jobs are moved there instead of deleted.")
  boolean doneTable;

  @Override
  public Integer call() {
    JobQueue.InitResult result = JobQueue.init(target.config(), target.queue, doneTable);
    spec.commandLine()
        .getOut()
        .printf(
            "%s queue table %s%s%n",
            result.created() ? "created" : "kept existing",
            result.table(),
            result.doneTable() == null ? "" : " with done table " + result.doneTable());
    return 0;
  }
}
