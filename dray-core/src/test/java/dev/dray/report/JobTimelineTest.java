package dev.dray.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.db.ConnectionConfig;
import dev.dray.run.TaskListener;
import dev.dray.run.ThrottleListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JobTimelineTest {
  private final AtomicLong clock = new AtomicLong();

  private JobTimeline timeline() {
    return new JobTimeline("copy", "a -> b", clock::get, 0);
  }

  private void at(double seconds) {
    clock.set(Math.round(seconds * 1e9));
  }

  @Test
  void recordsTasksOnTheirLanesWithRowsRetriesAndOutcome() {
    JobTimeline timeline = timeline();
    TaskListener<String> tasks = timeline.taskListener(t -> "task " + t, t -> "group " + t, null);
    ThrottleListener throttle = timeline.throttleListener();
    at(1);
    tasks.started("x", 0);
    throttle.rowsWritten(300);
    tasks.retrying("x", 0, 1, new RuntimeException("deadlock"));
    throttle.rowsWritten(200);
    at(2.5);
    tasks.finished("x", 0, 2, 0);
    tasks.started("y", 1);
    at(3);
    tasks.failed("y", 1, 1, 0, new RuntimeException("no"));

    List<TimelineSnapshot.TaskEntry> entries = timeline.snapshot().tasks();
    assertThat(entries)
        .containsExactly(
            new TimelineSnapshot.TaskEntry(0, "task x", "group x", 1, 2.5, 500, 1, 0, "ok"),
            new TimelineSnapshot.TaskEntry(1, "task y", "group y", 2.5, 3, 0, 0, 0, "failed"));
    assertThat(timeline.snapshot().workers()).isEqualTo(2);
  }

  @Test
  void aTaskHeldBackByTheThrottlerStartsWhenItsWorkStarts() {
    JobTimeline timeline = timeline();
    TaskListener<String> tasks = timeline.taskListener(t -> t, t -> t, null);
    ThrottleListener throttle = timeline.throttleListener();
    at(1);
    tasks.started("x", 0);
    throttle.throttled("pause file /tmp/p exists");
    at(2);
    throttle.throttled("rate limit 10 rows/s");
    at(4);
    throttle.cleared();
    throttle.workerResumed(3_000_000_000L);
    at(5);
    tasks.finished("x", 0, 1, 0);

    TimelineSnapshot snapshot = timeline.snapshot();
    assertThat(snapshot.throttles())
        .containsExactly(
            new TimelineSnapshot.ThrottleEntry(1, 2, "pause file /tmp/p exists"),
            new TimelineSnapshot.ThrottleEntry(2, 4, "rate limit 10 rows/s"));
    assertThat(snapshot.tasks().get(0).start()).isEqualTo(4);
    assertThat(snapshot.tasks().get(0).throttledSeconds()).isEqualTo(3);
  }

  @Test
  void runningTasksAndAnOngoingThrottleEndNow() {
    JobTimeline timeline = timeline();
    TaskListener<String> tasks = timeline.taskListener(t -> t, t -> t, null);
    at(1);
    tasks.started("x", 2);
    timeline.throttleListener().throttled("paused by the operator");
    at(7);
    TimelineSnapshot snapshot = timeline.snapshot();
    assertThat(snapshot.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.end()).isEqualTo(7);
              assertThat(t.outcome()).isEqualTo("running");
            });
    assertThat(snapshot.throttles())
        .containsExactly(new TimelineSnapshot.ThrottleEntry(1, 7, "paused by the operator"));
    assertThat(snapshot.workers()).isEqualTo(3);
    assertThat(snapshot.finished()).isFalse();
  }

  @Test
  void samplesRowsPerSecondAndChunkSize() {
    JobTimeline timeline = timeline();
    AtomicLong rows = new AtomicLong();
    timeline.sampleRows(rows::get);
    timeline.sampleChunkRows(() -> 250);
    at(1);
    rows.set(1000);
    timeline.sample();
    at(3);
    rows.set(5000);
    timeline.sample();
    assertThat(timeline.snapshot().samples())
        .containsExactly(
            new TimelineSnapshot.Sample(1, 1000, 1000, 250L, null),
            new TimelineSnapshot.Sample(3, 5000, 2000, 250L, null));
  }

  /** A settings record holding credentials, as a job's settings do. */
  record Settings(ConnectionConfig source, String note) {}

  @Test
  void neverShowsAPassword() {
    JobTimeline timeline = timeline();
    // another connection of the run (a replica, say) carries its password in its URL
    new ConnectionConfig("jdbc:mariadb://replica:3306/shop?password=url-s3cret", "app", null);
    timeline.settings(
        new Settings(
            new ConnectionConfig(
                "jdbc:mariadb://db:3306/shop?password=field-s3cret", "app", "field-s3cret"),
            "uses field-s3cret"));
    timeline.note("connected with field-s3cret");
    timeline.finish(null, new IllegalStateException("login url-s3cret failed"));
    TimelineSnapshot snapshot = timeline.snapshot();
    String page = HtmlReport.render(snapshot);
    assertThat(page).doesNotContain("s3cret").contains("\"password\":\"****\"");
    assertThat(HtmlReport.toJson(snapshot)).doesNotContain("s3cret");
  }
}
