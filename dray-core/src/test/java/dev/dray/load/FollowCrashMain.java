package dev.dray.load;

import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import dev.dray.load.follow.BatchReport;
import dev.dray.load.follow.FollowSettings;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Test helper run as a separate process that a test kills: {@code load --follow --resume} that
 * prints what it reaches ("planned", "finished SEQ", "following", "batch N", "reloading T") and
 * dawdles after load tasks and batches so the killer can pick its moment.
 *
 * <p>Arguments: url user tables(comma-separated) target applyIntervalMillis pauseMillis [shareFile]
 */
public final class FollowCrashMain {
  private FollowCrashMain() {}

  public static void main(String[] args) {
    long pauseMillis = Long.parseLong(args[5]);
    LoadJob.Builder builder =
        LoadJob.builder()
            .source(new ConnectionConfig(args[0], args[1], null))
            .target(Path.of(args[3]))
            .workers(2)
            .chunkRows(200)
            .resume(true)
            .follow(
                FollowSettings.defaults()
                    .withApplyInterval(Duration.ofMillis(Long.parseLong(args[4])))
                    .withShareFile(args.length > 6 && Boolean.parseBoolean(args[6])));
    for (String table : args[2].split(",")) {
      builder.table(TableName.parse(table));
    }
    builder
        .build()
        .run(
            new Cancellation(),
            new LoadListener() {
              @Override
              public void planned(List<Task> tasks, int workers, int alreadyDone) {
                say("planned " + tasks.size());
              }

              @Override
              public void taskFinished(TaskReport report) {
                say("finished " + report.sequence());
                pause(pauseMillis);
              }

              @Override
              public void followStarted(BinlogPosition position) {
                say("following " + position.coordinates());
              }

              @Override
              public void batchApplied(BatchReport report) {
                say("batch " + report.number() + " " + report.changes());
                pause(pauseMillis);
              }

              @Override
              public void reloading(TableName table, String statement) {
                say("reloading " + table);
              }
            });
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
