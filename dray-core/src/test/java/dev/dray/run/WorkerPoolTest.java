package dev.dray.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
  private static final Sleeper NO_WAIT = d -> {};

  @Test
  void everyTaskRunsExactlyOnceAcrossWorkers() {
    List<Integer> tasks = IntStream.range(0, 5000).boxed().toList();
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger runs = new AtomicInteger();
    new WorkerPool<Integer>("test", 4, RetryPolicy.NONE, NO_WAIT, String::valueOf)
        .run(
            new ListTaskSource<>(tasks),
            (index, c) ->
                task -> {
                  runs.incrementAndGet();
                  seen.add(task);
                  threads.add(Thread.currentThread().getName());
                },
            new Cancellation(),
            TaskListener.none());
    assertThat(runs).hasValue(5000);
    assertThat(seen).hasSize(5000);
    assertThat(threads).allMatch(name -> name.startsWith("dray-test-worker-"));
  }

  @Test
  void firstFailureStopsAllWorkersPromptlyAndNamesTheTask() {
    CountDownLatch blocked = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    long begin = System.nanoTime();
    assertThatThrownBy(
            () ->
                new WorkerPool<Integer>("test", 3, RetryPolicy.NONE, NO_WAIT, t -> "task #" + t)
                    .run(
                        new ListTaskSource<>(IntStream.range(0, 100).boxed().toList()),
                        (index, cancellation) -> {
                          // a long-running read that only an abort hook can cut short
                          cancellation.onCancel(blocked::countDown);
                          return task -> {
                            started.incrementAndGet();
                            if (task == 2) {
                              throw new SQLException("disk on fire", "HY000", 1234);
                            }
                            if (!blocked.await(30, TimeUnit.SECONDS)) {
                              throw new IllegalStateException("not aborted");
                            }
                          };
                        },
                        new Cancellation(),
                        TaskListener.none()))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("task #2 failed")
        .hasMessageContaining("disk on fire")
        .extracting(e -> ((DrayException) e).code())
        .isEqualTo(ErrorCode.TASK_FAILED);
    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
    assertThat(started.get()).isLessThan(10);
  }

  @Test
  void transientFailuresAreRetriedAndRecovered() {
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger recoveries = new AtomicInteger();
    new WorkerPool<Integer>("test", 1, RetryPolicy.transientSqlErrors(3), NO_WAIT, String::valueOf)
        .run(
            new ListTaskSource<>(List.of(1)),
            (index, c) ->
                new Worker<>() {
                  @Override
                  public void process(Integer task) throws Exception {
                    if (attempts.incrementAndGet() < 3) {
                      throw new SQLException("Deadlock found", "40001", 1213);
                    }
                  }

                  @Override
                  public void recover(Exception failure) {
                    recoveries.incrementAndGet();
                  }
                },
            new Cancellation(),
            TaskListener.none());
    assertThat(attempts).hasValue(3);
    assertThat(recoveries).hasValue(2);
  }

  @Test
  void retriesRunOutAndTheJobFails() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                new WorkerPool<Integer>(
                        "test", 2, RetryPolicy.transientSqlErrors(4), NO_WAIT, t -> "chunk " + t)
                    .run(
                        new ListTaskSource<>(List.of(7)),
                        (index, c) ->
                            task -> {
                              attempts.incrementAndGet();
                              throw new SQLException("Lock wait timeout exceeded", "HY000", 1205);
                            },
                        new Cancellation(),
                        TaskListener.none()))
        .hasMessageContaining("chunk 7 failed after 4 attempts")
        .hasMessageContaining("1205");
    assertThat(attempts).hasValue(4);
  }

  @Test
  void nonTransientFailuresAreNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(
            () ->
                new WorkerPool<Integer>(
                        "test", 1, RetryPolicy.transientSqlErrors(5), NO_WAIT, String::valueOf)
                    .run(
                        new ListTaskSource<>(List.of(1)),
                        (index, c) ->
                            task -> {
                              attempts.incrementAndGet();
                              throw new SQLException("Data too long for column 'b'", "22001", 1406);
                            },
                        new Cancellation(),
                        TaskListener.none()))
        .hasMessageContaining("Data too long");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void workerThatCannotStartFailsTheJob() {
    assertThatThrownBy(
            () ->
                new WorkerPool<Integer>("test", 2, RetryPolicy.NONE, NO_WAIT, String::valueOf)
                    .run(
                        new ListTaskSource<>(List.of(1, 2)),
                        (index, c) -> {
                          throw new SQLException("Access denied for user 'x'", "28000", 1045);
                        },
                        new Cancellation(),
                        TaskListener.none()))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("could not start")
        .extracting(e -> ((DrayException) e).code())
        .isEqualTo(ErrorCode.ACCESS_DENIED);
  }

  @Test
  void backoffGrowsAndIsCapped() {
    RetryPolicy policy =
        new RetryPolicy(10, Duration.ofMillis(100), Duration.ofSeconds(1), t -> true);
    assertThat(policy.backoff(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(policy.backoff(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(policy.backoff(20)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
  }

  @Test
  void resizingAddsWorkersAtOnceAndRetiresSurplusOnesBetweenTasks() throws Exception {
    List<Integer> tasks = IntStream.range(0, 3000).boxed().toList();
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    Set<Integer> lanesBeforeGrowth = ConcurrentHashMap.newKeySet();
    Set<Integer> lanesAfterGrowth = ConcurrentHashMap.newKeySet();
    AtomicInteger startedOnSurplusLanes = new AtomicInteger();
    AtomicInteger phase = new AtomicInteger(); // 0: 1 worker, 1: grown to 4, 2: shrunk to 1
    AtomicInteger done = new AtomicInteger();
    WorkerPool<Integer> pool =
        new WorkerPool<Integer>("test", 1, RetryPolicy.NONE, NO_WAIT, String::valueOf);
    Thread running =
        new Thread(
            () ->
                pool.run(
                    new ListTaskSource<>(tasks),
                    (index, c) ->
                        task -> {
                          seen.add(task);
                          Thread.sleep(1);
                          done.incrementAndGet();
                        },
                    new Cancellation(),
                    new TaskListener<Integer>() {
                      @Override
                      public void started(Integer task, int workerIndex) {
                        switch (phase.get()) {
                          case 0 -> lanesBeforeGrowth.add(workerIndex);
                          case 1 -> lanesAfterGrowth.add(workerIndex);
                          default -> {
                            if (workerIndex > 0) {
                              startedOnSurplusLanes.incrementAndGet();
                            }
                          }
                        }
                      }
                    }));
    running.start();
    await(() -> done.get() >= 100);
    phase.set(1);
    pool.resize(4);
    assertThat(pool.workers()).isEqualTo(4);
    await(() -> lanesAfterGrowth.size() == 4);
    phase.set(2);
    pool.resize(1);
    running.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(running.isAlive()).isFalse();
    assertThat(seen).hasSize(3000);
    assertThat(lanesBeforeGrowth).containsExactly(0);
    assertThat(lanesAfterGrowth).containsExactlyInAnyOrder(0, 1, 2, 3);
    // a surplus worker may already have taken its next task when the resize came: at most one each
    assertThat(startedOnSurplusLanes.get()).isLessThanOrEqualTo(3);
    assertThatThrownBy(() -> pool.resize(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static void await(java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
