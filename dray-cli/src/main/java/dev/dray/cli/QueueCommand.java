package dev.dray.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dray queue}: the database job queue. */
@Command(
    name = "queue",
    mixinStandardHelpOptions = true,
    header = "A job queue in a MariaDB/MySQL table: init, enqueue, work, stats, bench.",
    footer = {
      "",
      "Example:",
      "  ./dray queue init --db jdbc:mariadb://127.0.0.1:3306/shop --queue emails"
    },
    description = {
      "A job queue in a MariaDB/MySQL table: bulk enqueue without blocking live traffic,",
      "workers claiming batches with SELECT ... FOR UPDATE SKIP LOCKED. See docs/QUEUE.md."
    },
    subcommands = {
      QueueInitCommand.class,
      QueueEnqueueCommand.class,
      QueueWorkCommand.class,
      QueueStatsCommand.class,
      QueueBenchCommand.class
    })
public final class QueueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }
}
