package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.run.Sleeper;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * <p>{@link #stop()} is graceful: claimed jobs not yet started are released at once; running jobs
 * may finish (their leases are still extended by heartbeats) for up to the grace period; jobs still
 * running then are interrupted (an {@code exec:} handler's process tree is stopped) and handed back
 * to the queue without charging their attempt; then {@link #run()} returns.
 *
 * <p>An attempt is charged when a job starts, not when it is claimed: if a handler kills the worker
 * process, the jobs of its batch that had not started come back (after the lease) with their
 * attempt count unchanged. The first jobs of a batch are charged by the claim itself; later ones by
 * one short statement per slice of jobs, a slice being about {@link #CHARGE_SLICE_TIME} of handler
 * time (one job for slow handlers, the whole batch for near-instant ones), so the price is paid
 * only where it is small next to the handler.
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

  /**
   * How long a graceful stop waits for running jobs before handing them back. Below the 30 s a
   * container orchestrator usually waits between SIGTERM and SIGKILL, so the hand-back and the
   * summary fit in.
   */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(20);

  static final Duration TARGET_BATCH_TIME = Duration.ofMillis(200);

  /** Jobs expected to start within this much handler time are charged their attempt together. */
  static final Duration CHARGE_SLICE_TIME = Duration.ofMillis(10);

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
  private final Duration gracePeriod;
  private final boolean untilEmpty;
  private final Sleeper sleeper;
  private final WorkListener listener;
  private final String owner;

  private final Set<Long> held = ConcurrentHashMap.newKeySet();

  /** The job each worker thread is running a handler on now (interrupted when grace runs out). */
  private final Map<Thread, ClaimedJob> running = new ConcurrentHashMap<>();

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
  private final AtomicLong handedBack = new AtomicLong();
  private final AtomicLong claims = new AtomicLong();
  private final AtomicReference<DrayException> fatal = new AtomicReference<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile boolean started;
  private long stopDeadline;

  /** The grace period ran out: running handlers are interrupted and their jobs handed back. */
  private volatile boolean handingBack;

  /** Every worker thread has ended: the keeper stops extending leases. */
  private volatile boolean workersDone;

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
    if (b.gracePeriod.isNegative()) {
      throw DrayException.usage("--grace-period must not be negative, got " + b.gracePeriod);
    }
    this.gracePeriod = b.gracePeriod;
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
    boolean interrupted = false;
    try {
      for (Thread thread : threads) {
        while (thread.isAlive()) {
          if (stopping && !handingBack && graceOver()) {
            handBackRunningJobs();
          }
          try {
            thread.join(20);
          } catch (InterruptedException e) {
            // stop at once: running jobs are handed back, and this waits until they are
            interrupted = true;
            stop();
            handBackRunningJobs();
          }
        }
      }
    } finally {
      stopping = true;
      workersDone = true;
      keeper.interrupt();
      finished.countDown();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
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
        handedBack.get(),
        claims.get(),
        (System.nanoTime() - start) / 1e9,
        queue.lockConflictsRetried() - conflictsBefore);
  }

  /**
   * Asks the pool to stop gracefully: unstarted claims are released, running jobs get the grace
   * period to finish and are then handed back uncharged; {@link #run()} returns after that.
   */
  public void stop() {
    synchronized (running) {
      if (!stopping) {
        stopDeadline = System.nanoTime() + gracePeriod.toNanos();
        stopping = true;
      }
    }
  }

  private boolean graceOver() {
    synchronized (running) {
      return System.nanoTime() - stopDeadline >= 0;
    }
  }

  /**
   * Interrupts every handler still running. A worker removes its entry before it looks at the
   * outcome, and interrupts are sent inside {@code computeIfPresent}, so no interrupt reaches a
   * worker after it left its handler.
   */
  private void handBackRunningJobs() {
    if (!handingBack) {
      handingBack = true;
      if (!running.isEmpty()) {
        LOG.warn(
            "grace period of {} is over: handing back {} running job(s) of {} uncharged",
            gracePeriod,
            running.size(),
            queue.name());
      }
    }
    for (Thread thread : running.keySet()) {
      running.computeIfPresent(
          thread,
          (t, job) -> {
            t.interrupt();
            return job;
          });
    }
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
            jobs =
                session.completeAndClaim(
                    owner, ids(pending), batch, lease, sliceSize(itemNanos, batch));
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
          handled = runBatch(session, jobs, sliceSize(itemNanos, batch), itemNanos, pending);
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
   * Runs the handler on each job; returns how many it ran. Each job's attempt is charged before it
   * starts (the first {@code charged} by the claim). Successes go to {@code pending} (still held,
   * so heartbeats keep their leases) for the next claim to complete; unstarted jobs are released
   * when stopping, and running jobs are handed back when the grace period runs out, neither
   * charged.
   */
  private int runBatch(
      QueueSession session,
      List<ClaimedJob> jobs,
      int charged,
      double itemNanos,
      List<ClaimedJob> pending) {
    int handled = 0;
    int chargedUpTo = Math.min(charged, jobs.size());
    Set<Long> lost = new java.util.HashSet<>();
    double estimate = itemNanos;
    int next = 0;
    for (; next < jobs.size() && !stopping; next++) {
      ClaimedJob job = jobs.get(next);
      if (next >= chargedUpTo) {
        int slice = Math.min(jobs.size() - next, sliceSize(estimate, jobs.size()));
        Set<Long> notOurs = session.chargeAttempts(owner, ids(jobs.subList(next, next + slice)));
        if (!notOurs.isEmpty()) {
          LOG.warn(
              "{} job(s) of {} were no longer leased to this worker when they were to start"
                  + " (lease expired?); skipping them",
              notOurs.size(),
              queue.name());
          lost.addAll(notOurs);
          held.removeAll(notOurs);
        }
        chargedUpTo = next + slice;
      }
      if (lost.contains(job.id())) {
        continue;
      }
      handled++;
      long start = System.nanoTime();
      Exception failure = null;
      running.put(Thread.currentThread(), job);
      try {
        handler.handle(job);
      } catch (Exception e) {
        failure = e;
      } finally {
        running.remove(Thread.currentThread());
      }
      long took = System.nanoTime() - start;
      estimate = estimate == 0 ? took : 0.7 * estimate + 0.3 * took;
      boolean interrupted = Thread.interrupted() || failure instanceof InterruptedException;
      if (failure == null) {
        pending.add(job);
      } else if (handingBack || interrupted) {
        // Stopped from outside, not failed: the job goes back as if never started.
        held.remove(job.id());
        handedBack.addAndGet(session.release(owner, List.of(job.id())));
        stop();
      } else {
        held.remove(job.id());
        recordFailure(
            session, job, failure.getMessage() == null ? failure.toString() : failure.getMessage());
      }
    }
    List<Long> chargedUnstarted = new ArrayList<>();
    List<Long> unchargedUnstarted = new ArrayList<>();
    for (int i = next; i < jobs.size(); i++) {
      long id = jobs.get(i).id();
      if (lost.contains(id)) {
        continue;
      }
      held.remove(id);
      (i < chargedUpTo ? chargedUnstarted : unchargedUnstarted).add(id);
    }
    released.addAndGet(session.release(owner, chargedUnstarted));
    released.addAndGet(session.releaseUncharged(owner, unchargedUnstarted));
    return handled;
  }

  /**
   * How many jobs to charge in one statement: those expected to start within {@link
   * #CHARGE_SLICE_TIME}; one while the handler's speed is unknown.
   */
  static int sliceSize(double itemNanos, int batch) {
    if (itemNanos <= 0) {
      return 1;
    }
    long bySpeed = (long) (CHARGE_SLICE_TIME.toNanos() / itemNanos);
    return (int) Math.max(1, Math.min(batch, bySpeed));
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
    // Heartbeats go on while stopping: running jobs keep their leases until they finish or are
    // handed back, so no other worker takes them over meanwhile.
    while (!workersDone) {
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
          } while (reclaimed == 1000 && !workersDone);
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
      stop();
    }
  }

  private void fail(DrayException e) {
    fatal.compareAndSet(null, e);
    stop();
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
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
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

    /**
     * How long {@link #stop()} lets running jobs finish before it interrupts them and hands them
     * back uncharged (default 20 s).
     */
    public Builder gracePeriod(Duration duration) {
      this.gracePeriod = requireNonNull(duration, "grace period is null");
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
