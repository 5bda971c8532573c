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
    header = "Creates the queue table (kept if it exists).",
    footer = {
      "",
      "Example:",
      "  ./dray queue init --db jdbc:mariadb://127.0.0.1:3306/shop --queue emails"
    },
    description = {
      "Creates the queue table (kept if it exists).",
      "Without --idempotency-keys the table has no UNIQUE index on idempotency_key (every index slows"
          + " inserts and deletes), and jobs with an idempotency key are refused."
    })
public final class QueueInitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin QueueTarget target;

  @Option(
      names = "--done-table",
      description = "Also create NAME_done: completed jobs are moved there instead of deleted.")
  boolean doneTable;

  @Option(
      names = "--idempotency-keys",
      description =
          "Give the queue table the UNIQUE index on idempotency_key so jobs may carry keys"
              + " (added to an existing table that lacks it).")
  boolean idempotencyKeys;

  @Override
  public Integer call() {
    JobQueue.InitResult result =
        JobQueue.init(
            target.config(),
            target.queue,
            JobQueue.InitOptions.defaults()
                .withDoneTable(doneTable)
                .withIdempotencyKeys(idempotencyKeys));
    String index;
    if (result.idempotencyIndexAdded()) {
      index = "; added the idempotency index";
    } else if (result.idempotencyKeys()) {
      index = "; idempotency keys on";
    } else {
      index = "; idempotency keys off (enable with --idempotency-keys)";
    }
    spec.commandLine()
        .getOut()
        .printf(
            "%s queue table %s%s%s%n",
            result.created() ? "created" : "kept existing",
            result.table(),
            result.doneTable() == null ? "" : " with done table " + result.doneTable(),
            index);
    return 0;
  }
}
