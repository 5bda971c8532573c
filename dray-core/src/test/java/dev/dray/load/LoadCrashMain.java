package dev.dray.load;

import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import dev.dray.plan.Task;
import dev.dray.run.Cancellation;
import java.nio.file.Path;
import java.util.List;

/**
 * Test helper run as a separate process that a test kills: a resumable load that prints "planned
 * REMAINING DONE", "finished SEQ" and "publishing", and dawdles after each task so the killer can
 * pick its moment.
 *
 * <p>Arguments: url user table target chunkRows workers pauseMillis
 */
public final class LoadCrashMain {
  private LoadCrashMain() {}

  public static void main(String[] args) {
    long pauseMillis = Long.parseLong(args[6]);
    LoadResult result =
        LoadJob.builder()
            .source(new ConnectionConfig(args[0], args[1], null))
            .table(TableName.parse(args[2]))
            .target(Path.of(args[3]))
            .chunkRows(Long.parseLong(args[4]))
            .workers(Integer.parseInt(args[5]))
            .resume(true)
            .build()
            .run(
                new Cancellation(),
                new LoadListener() {
                  @Override
                  public void planned(List<Task> tasks, int workers, int alreadyDone) {
                    System.out.println("planned " + tasks.size() + " " + alreadyDone);
                    System.out.flush();
                  }

                  @Override
                  public void publishing() {
                    System.out.println("publishing");
                    System.out.flush();
                  }

                  @Override
                  public void taskFinished(TaskReport report) {
                    System.out.println("finished " + report.sequence());
                    System.out.flush();
                    try {
                      Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    System.out.println("done " + result.rows());
    System.out.flush();
  }
}
