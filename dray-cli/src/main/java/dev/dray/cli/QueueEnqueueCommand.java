package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.queue.BulkEnqueue;
import dev.dray.queue.BulkEnqueueResult;
import dev.dray.queue.NewJob;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dray queue enqueue}: one job, a JSONL file, or every row of a query. */
@Command(
    name = "enqueue",
    mixinStandardHelpOptions = true,
    header = "Adds jobs: one, one per line of a file, or one per row of a query.",
    footer = {
      "",
      "Example:",
      "  ./dray queue enqueue --db jdbc:mariadb://127.0.0.1:3306/shop --queue emails --file jobs.jsonl"
    },
    description = {
      "Adds jobs: one (--payload), one per line of a JSONL file (--file), or one per row of a query (--from-query).",
      "Several --db enqueue into all shards in parallel. Each chunk is its own transaction."
    })
public final class QueueEnqueueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--db",
      required = true,
      paramLabel = "URL",
      description = "Database holding the queue (repeat for shards).")
  List<String> dbs;

  @Option(names = "--queue", required = true, paramLabel = "NAME", description = "Queue name.")
  String queue;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--payload",
        paramLabel = "JSON",
        description = "One job with this JSON payload.")
    String payload;

    @Option(
        names = "--file",
        paramLabel = "F.jsonl",
        description = "One job per non-empty line (each line a JSON payload).")
    Path file;

    @Option(
        names = "--from-query",
        paramLabel = "SQL",
        description =
            "One job per row: column payload (else the first), optional priority and idempotency_key.")
    String query;
  }

  @Option(
      names = "--from",
      paramLabel = "URL",
      description =
          "Run --from-query here instead of on each shard; rows are spread over the shards.")
  String from;

  @Option(
      names = "--via-hold-table",
      description =
          "Stream rows into a private hold table first, check them, then move them in chunks.")
  boolean viaHoldTable;

  @Option(
      names = "--chunk-size",
      paramLabel = "N",
      description = "Rows per committed chunk (default: ${DEFAULT-VALUE}).")
  int chunkSize = BulkEnqueue.DEFAULT_CHUNK_SIZE;

  @Option(
      names = "--movers",
      paramLabel = "N",
      description =
          "With --via-hold-table: connections moving the hold table into each queue in parallel"
              + " (default "
              + BulkEnqueue.DEFAULT_MOVERS
              + "; 1 where innodb_autoinc_lock_mode < 2).")
  Integer movers;

  @Option(
      names = "--enqueue-id",
      paramLabel = "ID",
      description =
          "With --via-hold-table: the name under which this enqueue is recorded (default: a hash"
              + " of queue and query). Running an interrupted enqueue again finishes it exactly"
              + " once; running a finished one enqueues nothing.")
  String enqueueId;

  @Option(
      names = "--again",
      description =
          "With --via-hold-table: enqueue even if this enqueue (same --enqueue-id, or same queue"
              + " and query) finished before.")
  boolean again;

  @Option(
      names = "--drop-unfinished",
      description =
          "With --via-hold-table: drop the hold tables that interrupted other enqueues into this"
              + " queue left behind (their remaining jobs are then never enqueued).")
  boolean dropUnfinished;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description =
          "With --payload: skip the job if this key is already queued (the queue needs"
              + " dray queue init --idempotency-keys).")
  String idempotencyKey;

  @Option(
      names = "--priority",
      paramLabel = "N",
      description = "With --payload/--file: lower runs first (default 0).")
  int priority;

  @Option(
      names = "--delay",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "With --payload/--file: invisible for this long (e.g. 30s).")
  Duration delay = Duration.ZERO;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      description =
          "With --payload/--file: attempts before the job is dead (default: the workers').")
  Integer maxAttempts;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    if (idempotencyKey != null && source.payload == null) {
      throw DrayException.usage(
          "--idempotency-key goes with --payload (a query gives keys in an idempotency_key column)");
    }
    if (source.query != null && (priority != 0 || !delay.isZero() || maxAttempts != null)) {
      throw DrayException.usage(
          "--priority, --delay and --max-attempts go with --payload/--file, not --from-query:"
              + " select a priority column in the query instead (a query's jobs are ready at once)");
    }
    if (movers != null && !viaHoldTable) {
      throw DrayException.usage("--movers goes with --via-hold-table");
    }
    BulkEnqueue.Builder builder =
        BulkEnqueue.builder()
            .queue(queue)
            .chunkSize(chunkSize)
            .viaHoldTable(viaHoldTable)
            .movers(movers == null ? BulkEnqueue.DEFAULT_MOVERS : movers)
            .enqueueId(enqueueId)
            .again(again)
            .dropUnfinished(dropUnfinished);
    if (dropUnfinished && !viaHoldTable) {
      throw DrayException.usage("--drop-unfinished goes with --via-hold-table");
    }
    for (String db : dbs) {
      builder.shard(connection.forUrl(db));
    }
    if (source.query != null) {
      builder.query(source.query);
      if (from != null) {
        builder.source(connection.forUrl(from));
      }
    } else {
      if (from != null) {
        throw DrayException.usage("--from goes with --from-query");
      }
      List<NewJob> jobs =
          source.payload != null
              ? List.of(job(source.payload).withIdempotencyKey(idempotencyKey))
              : readFile(source.file);
      builder.jobs(jobs);
    }
    BulkEnqueueResult result = builder.build().run();
    if (result.finishedBefore()) {
      spec.commandLine()
          .getOut()
          .printf(
              "nothing enqueued: bulk enqueue %s into %s finished before (%,d of %,d jobs);"
                  + " pass --again to enqueue the same rows again%n",
              result.enqueueId(), queue, result.inserted(), result.submitted());
      return 0;
    }
    if (result.earlier() > 0) {
      spec.commandLine()
          .getOut()
          .printf(
              "resumed bulk enqueue %s: %,d of its jobs were enqueued by an earlier run%n",
              result.enqueueId(), result.earlier());
    }
    spec.commandLine()
        .getOut()
        .printf(
            "enqueued %,d of %,d jobs into %s on %d database(s)%s in %.2f s (%,.0f jobs/s)%n",
            result.inserted(),
            result.submitted(),
            queue,
            result.shards(),
            result.duplicates() > 0 ? " (" + result.duplicates() + " duplicates ignored)" : "",
            result.seconds(),
            result.jobsPerSecond());
    return 0;
  }

  private NewJob job(String payload) {
    return new NewJob(payload, priority, delay, maxAttempts, null);
  }

  private List<NewJob> readFile(Path file) {
    List<NewJob> jobs = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        try {
          jobs.add(job(line.strip()));
        } catch (DrayException e) {
          throw DrayException.usage(
              file + " line " + number + ": " + e.getMessage() + " (nothing was enqueued)");
        }
      }
    } catch (IOException e) {
      throw DrayException.usage("cannot read " + file + ": " + e.getMessage());
    }
    return jobs;
  }
}
