package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.run.Sleeper;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N worker threads that claim batches from a {@link JobQueue} and run a {@link JobHandler} on each
 * job, plus one keeper thread that extends the leases of running jobs (heartbeat) and reclaims
 * expired leases of crashed workers.
 *
 * <p>Batch size adapts: it doubles while claims come back full and shrinks to what the queue had
 * when they do not, and it is capped so one batch takes about {@link #TARGET_BATCH_TIME} of handler
 * time (slow handlers take few jobs at a time and leave the rest to idle workers). Empty polls back
 * off from 1 ms to the max poll interval.
 *
 * <p>{@link #stop()} is graceful: running jobs finish and are completed, claimed jobs not yet
 * started are released at once, then {@link #run()} returns.
 */
public final class QueueWorkers {
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /**
   * The count cap of a claim. The real limit for real handlers is {@link #TARGET_BATCH_TIME}; this
   * cap matters for near-instant handlers, where each claim's fixed cost (a scan start, an UPDATE,
   * a DELETE and a commit) is spread over the batch: 8 no-op workers on 2 cores completed about 15k
   * jobs/s at 100 and 33k jobs/s at 1000 (docs/BENCHMARKS.md, "Queue (W3)").
   */
  public static final int DEFAULT_MAX_BATCH = 1000;

  public static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofMillis(100);

  /**
   * Claims are a few ms; two in flight per process keep the workers fed, and more only make a busy
   * server's InnoDB spin (measured in docs/BENCHMARKS.md: about 1.4x the throughput of no limit
   * with 8 no-op workers on 2 cores).
   */
  public static final int DEFAULT_CONCURRENT_CLAIMS = 2;

  static final Duration TARGET_BATCH_TIME = Duration.ofMillis(200);
  private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(1);
  private static final Duration PARTIAL_BATCH_PAUSE = Duration.ofMillis(5);
  private static final Duration RECONNECT_PATIENCE = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(QueueWorkers.class);

  private final JobQueue queue;
  private final JobHandler handler;
  private final int workers;
  private final int maxBatch;
  private final Duration lease;
  private final Duration maxPollInterval;
  private final boolean untilEmpty;
  private final Sleeper sleeper;
  private final WorkListener listener;
  private final String owner;

  private final Set<Long> held = ConcurrentHashMap.newKeySet();

  /**
   * How many of this pool's threads may be inside a claim transaction at once. More concurrent
   * claims than the server has cores only make InnoDB spin on its lock and transaction mutexes;
   * waiting here costs nothing, and handlers still run on every worker thread in parallel.
   */
  private final java.util.concurrent.Semaphore claimPermits;

  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong dead = new AtomicLong();
  private final AtomicLong released = new AtomicLong();
  private final AtomicLong claims = new AtomicLong();
  private final AtomicReference<DrayException> fatal = new AtomicReference<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile boolean started;

  private QueueWorkers(Builder b) {
    this.queue = b.queue;
    this.handler = requireNonNull(b.handler, "handler is null: set one with handler(...)");
    if (b.workers < 1) {
      throw DrayException.usage("--workers must be at least 1, got " + b.workers);
    }
    if (b.maxBatch < 1) {
      throw DrayException.usage("--batch must be at least 1, got " + b.maxBatch);
    }
    if (b.lease.compareTo(Duration.ofMillis(100)) < 0) {
      throw DrayException.usage("--lease must be at least 100ms, got " + b.lease);
    }
    this.workers = b.workers;
    this.maxBatch = b.maxBatch;
    this.lease = b.lease;
    this.maxPollInterval = b.maxPollInterval;
    this.untilEmpty = b.untilEmpty;
    this.sleeper = b.sleeper;
    this.listener = b.listener;
    this.owner = b.owner != null ? b.owner : defaultOwner();
    this.claimPermits =
        new java.util.concurrent.Semaphore(
            b.concurrentClaims > 0 ? b.concurrentClaims : Integer.MAX_VALUE);
  }

  public static Builder builder(JobQueue queue) {
    return new Builder(requireNonNull(queue, "queue is null"));
  }

  /**
   * Runs until {@link #stop()} (or, with until-empty, until no job is ready, delayed or leased).
   */
  public WorkResult run() {
    if (started) {
      throw new IllegalStateException("a worker pool runs once");
    }
    started = true;
    long start = System.nanoTime();
    long conflictsBefore = queue.lockConflictsRetried();
    LOG.debug(
        "{} workers on {} as {}, lease {}, max batch {}", workers, queue, owner, lease, maxBatch);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Thread thread = new Thread(this::workLoop, "dray-queue-worker-" + (i + 1));
      threads.add(thread);
      thread.start();
    }
    Thread keeper = new Thread(this::keepLoop, "dray-queue-keeper");
    keeper.setDaemon(true);
    keeper.start();
    try {
      for (Thread thread : threads) {
        thread.join();
      }
    } catch (InterruptedException e) {
      stopping = true;
      Thread.currentThread().interrupt();
    } finally {
      stopping = true;
      keeper.interrupt();
      finished.countDown();
    }
    DrayException error = fatal.get();
    if (error != null) {
      throw error;
    }
    return new WorkResult(
        processed.get(),
        failedAttempts.get(),
        dead.get(),
        released.get(),
        claims.get(),
        (System.nanoTime() - start) / 1e9,
        queue.lockConflictsRetried() - conflictsBefore);
  }

  /** Asks the pool to stop gracefully; {@link #run()} returns once running jobs are done. */
  public void stop() {
    stopping = true;
  }

  /** Stops gracefully and waits up to {@code timeout} for {@link #run()} to finish. */
  public boolean stopAndWait(Duration timeout) throws InterruptedException {
    stop();
    return !started
        || finished.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public String owner() {
    return owner;
  }

  private void workLoop() {
    QueueSession session = null;
    int batch = Math.min(maxBatch, 10);
    double itemNanos = 0;
    Duration poll = MIN_POLL_INTERVAL;
    // Jobs of the previous batch that succeeded: completed in the next claim's transaction.
    List<ClaimedJob> pending = new ArrayList<>();
    try {
      while (!stopping) {
        if (session == null) {
          session = reconnect();
          if (session == null) {
            return;
          }
        }
        List<ClaimedJob> jobs;
        long claimStart = System.nanoTime();
        try {
          claimPermits.acquireUninterruptibly();
          try {
            jobs = session.completeAndClaim(owner, ids(pending), batch, lease);
          } finally {
            claimPermits.release();
          }
        } catch (DrayException e) {
          // The transaction rolled back: pending jobs are still leased to us (heartbeats go on)
          // and are completed by the next claim after reconnecting.
          session = dropOnConnectionLoss(session, e);
          continue;
        }
        completed(pending);
        claims.incrementAndGet();
        listener.claimed(jobs, System.nanoTime() - claimStart);
        if (jobs.isEmpty()) {
          if (untilEmpty && !session.hasOpenJobs()) {
            return;
          }
          sleep(poll);
          poll = min(poll.multipliedBy(2), maxPollInterval);
          batch = Math.max(1, batch / 2);
          continue;
        }
        poll = MIN_POLL_INTERVAL;
        for (ClaimedJob job : jobs) {
          held.add(job.id());
        }
        long handleStart = System.nanoTime();
        int handled;
        try {
          handled = runBatch(session, jobs, pending);
        } catch (DrayException e) {
          // The claimed jobs stay leased to us and come back after the lease: nothing is lost.
          session = dropOnConnectionLoss(session, e);
          continue;
        }
        if (handled > 0) {
          double perItem = (System.nanoTime() - handleStart) / (double) handled;
          itemNanos = itemNanos == 0 ? perItem : 0.7 * itemNanos + 0.3 * perItem;
        }
        int requested = batch;
        batch = nextBatch(batch, jobs.size(), itemNanos);
        if (jobs.size() < requested) {
          // The queue is drained: let a few jobs gather instead of claiming them one by one. Each
          // claim costs the server a transaction; a few ms cost the jobs next to nothing.
          sleep(min(PARTIAL_BATCH_PAUSE, maxPollInterval));
        }
      }
      if (session != null && !pending.isEmpty()) {
        session.complete(owner, ids(pending));
        completed(pending);
      }
    } catch (DrayException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new DrayException(ErrorCode.INTERNAL, "queue worker failed: " + e, e));
    } finally {
      forget(pending);
      if (session != null) {
        session.close();
      }
    }
  }

  private static List<Long> ids(List<ClaimedJob> jobs) {
    List<Long> ids = new ArrayList<>(jobs.size());
    for (ClaimedJob job : jobs) {
      ids.add(job.id());
    }
    return ids;
  }

  private void completed(List<ClaimedJob> jobs) {
    if (jobs.isEmpty()) {
      return;
    }
    processed.addAndGet(jobs.size());
    listener.completed(List.copyOf(jobs));
    forget(jobs);
  }

  private void forget(List<ClaimedJob> jobs) {
    for (ClaimedJob job : jobs) {
      held.remove(job.id());
    }
    jobs.clear();
  }

  /**
   * Runs the handler on each job; returns how many it ran. Successes go to {@code pending} (still
   * held, so heartbeats keep their leases) for the next claim to complete; unstarted jobs are
   * released when stopping.
   */
  private int runBatch(QueueSession session, List<ClaimedJob> jobs, List<ClaimedJob> pending) {
    int handled = 0;
    for (ClaimedJob job : jobs) {
      if (stopping) {
        break;
      }
      handled++;
      try {
        handler.handle(job);
        pending.add(job);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        held.remove(job.id());
        recordFailure(session, job, "interrupted");
        stopping = true;
      } catch (Exception e) {
        held.remove(job.id());
        recordFailure(session, job, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }
    if (handled < jobs.size()) {
      List<Long> unstarted = new ArrayList<>();
      for (ClaimedJob job : jobs.subList(handled, jobs.size())) {
        unstarted.add(job.id());
        held.remove(job.id());
      }
      released.addAndGet(session.release(owner, unstarted));
    }
    return handled;
  }

  private void recordFailure(QueueSession session, ClaimedJob job, String error) {
    failedAttempts.incrementAndGet();
    if (session.fail(owner, job, error)) {
      dead.incrementAndGet();
      LOG.warn(
          "job {} of {} is dead after {} attempts: {}",
          job.id(),
          queue.name(),
          job.attempt(),
          error);
    } else {
      LOG.debug("job {} attempt {} failed: {}", job.id(), job.attempt(), error);
    }
  }

  private int nextBatch(int batch, int claimed, double itemNanos) {
    int next = claimed >= batch ? Math.min(maxBatch, batch * 2) : Math.max(1, claimed);
    if (itemNanos > 0) {
      long byTime = (long) (TARGET_BATCH_TIME.toNanos() / itemNanos);
      next = (int) Math.max(1, Math.min(next, byTime));
    }
    return next;
  }

  /** Heartbeats for running jobs and reclaiming of expired leases, on one connection. */
  private void keepLoop() {
    Duration heartbeat = lease.dividedBy(3);
    Duration reapEvery = min(lease.dividedBy(2), Duration.ofSeconds(5));
    long nextReap = 0;
    QueueSession session = null;
    while (!stopping) {
      try {
        if (session == null) {
          session = queue.openSession();
        }
        if (!held.isEmpty()) {
          session.extendLeases(owner, new ArrayList<>(held), lease);
        }
        if (System.nanoTime() >= nextReap) {
          int reclaimed;
          do {
            reclaimed = session.reclaimExpired(1000);
            if (reclaimed > 0) {
              LOG.info("reclaimed {} jobs with expired leases on {}", reclaimed, queue.name());
            }
          } while (reclaimed == 1000 && !stopping);
          nextReap = System.nanoTime() + reapEvery.toNanos();
        }
        sleeper.sleep(min(heartbeat, reapEvery));
      } catch (InterruptedException e) {
        break;
      } catch (DrayException e) {
        LOG.warn("queue keeper: {}", e.getMessage());
        if (session != null) {
          session.close();
          session = null;
        }
        try {
          sleeper.sleep(Duration.ofMillis(500));
        } catch (InterruptedException interrupted) {
          break;
        }
      }
    }
    if (session != null) {
      session.close();
    }
  }

  private QueueSession dropOnConnectionLoss(QueueSession session, DrayException e) {
    session.close();
    if (e.code() != ErrorCode.CONNECTION_FAILED) {
      throw e;
    }
    LOG.warn("{}; reconnecting", e.getMessage());
    return null;
  }

  /** Opens a session, retrying for a while when the database is unreachable; null when stopping. */
  private QueueSession reconnect() {
    long deadline = System.nanoTime() + RECONNECT_PATIENCE.toNanos();
    Duration wait = Duration.ofMillis(100);
    while (true) {
      try {
        return queue.openSession();
      } catch (DrayException e) {
        if (e.code() != ErrorCode.CONNECTION_FAILED || System.nanoTime() > deadline) {
          throw new DrayException(
              e.code(),
              "queue workers gave up: "
                  + e.getMessage()
                  + " (claimed jobs come back after their lease)",
              e);
        }
        if (stopping) {
          return null;
        }
        sleep(wait);
        wait = min(wait.multipliedBy(2), Duration.ofSeconds(5));
      }
    }
  }

  private void sleep(Duration duration) {
    try {
      sleeper.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
  }

  private void fail(DrayException e) {
    fatal.compareAndSet(null, e);
    stopping = true;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  static String defaultOwner() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "host";
    }
    String pid = Long.toString(ProcessHandle.current().pid());
    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x1000_0000);
    String owner = host + ":" + pid + ":" + suffix;
    return owner.length() > 100 ? owner.substring(owner.length() - 100) : owner;
  }

  /** Settings of a worker pool. */
  public static final class Builder {
    private final JobQueue queue;
    private JobHandler handler;
    private int workers = 4;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private Duration lease = DEFAULT_LEASE;
    private Duration maxPollInterval = DEFAULT_MAX_POLL_INTERVAL;
    private boolean untilEmpty;
    private Sleeper sleeper = Sleeper.SYSTEM;
    private WorkListener listener = WorkListener.NONE;
    private String owner;
    private int concurrentClaims = DEFAULT_CONCURRENT_CLAIMS;

    private Builder(JobQueue queue) {
      this.queue = queue;
    }

    public Builder handler(JobHandler jobHandler) {
      this.handler = jobHandler;
      return this;
    }

    public Builder workers(int count) {
      this.workers = count;
      return this;
    }

    /** The largest batch one claim takes. */
    public Builder maxBatch(int size) {
      this.maxBatch = size;
      return this;
    }

    /**
     * How long a claim holds a job before others may take it; heartbeats extend it while it runs.
     */
    public Builder lease(Duration duration) {
      this.lease = requireNonNull(duration, "lease is null");
      return this;
    }

    /** The longest wait between polls of an empty queue. */
    public Builder maxPollInterval(Duration interval) {
      this.maxPollInterval = requireNonNull(interval, "interval is null");
      return this;
    }

    /** Return when no job is ready, delayed or leased, instead of waiting for more. */
    public Builder untilEmpty(boolean on) {
      this.untilEmpty = on;
      return this;
    }

    public Builder sleeper(Sleeper newSleeper) {
      this.sleeper = requireNonNull(newSleeper, "sleeper is null");
      return this;
    }

    public Builder listener(WorkListener workListener) {
      this.listener = requireNonNull(workListener, "listener is null");
      return this;
    }

    /** The lease owner name (default host:pid:random); must be unique per pool. */
    public Builder owner(String name) {
      this.owner = name;
      return this;
    }

    /**
     * At most this many of the pool's threads claim at the same time (default {@value
     * #DEFAULT_CONCURRENT_CLAIMS}; 0: no limit). Handlers still run on all threads; on a small
     * server a low number saves InnoDB mutex spinning.
     */
    public Builder concurrentClaims(int count) {
      this.concurrentClaims = count;
      return this;
    }

    public QueueWorkers build() {
      return new QueueWorkers(this);
    }
  }
}
