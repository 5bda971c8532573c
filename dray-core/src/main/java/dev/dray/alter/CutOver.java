package dev.dray.alter;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.alter.AlterPlan.NewUniqueKey;
import dev.dray.change.BinlogPreconditions;
import dev.dray.copy.CaughtUpHandler;
import dev.dray.db.AlterStatements;
import dev.dray.db.BinlogPosition;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.Connections;
import dev.dray.db.Dialect;
import dev.dray.db.SqlErrors;
import dev.dray.run.Cancellation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cut-over of an alter, run once the new table has caught up while changes keep being applied
 * to it. MariaDB does not allow RENAME TABLE under LOCK TABLES, so several sessions:
 *
 * <ol>
 *   <li>session A: {@code LOCK TABLES T WRITE} (bounded by the lock timeout); writers to T now
 *       wait, they do not fail;
 *   <li>read the binary log position P: every write to T is before it; wait until the applier has
 *       applied everything up to P (bounded by the lock timeout); nothing writes the new table now;
 *   <li>session C: {@code LOCK TABLES _T_new WRITE} (fails when another session holds it); session
 *       B: {@code RENAME TABLE T TO _T_old, _T_new TO T}, which waits for {@code _T_new} (a RENAME
 *       locks in name order, and {@code _T_new} sorts first); C unlocks, and the RENAME's waiting
 *       exclusive lock takes {@code _T_new} before anyone else, then {@code _T_old}, then waits for
 *       T; a probe that does not wait sees when it holds {@code _T_old};
 *   <li>A: {@code UNLOCK TABLES}. The RENAME's waiting exclusive lock goes before the writers'
 *       waiting locks, so it runs first; the writers then write the new T.
 * </ol>
 *
 * A failure before the RENAME is issued rolls back by {@code UNLOCK TABLES}; after it, by {@code
 * KILL QUERY} of the waiting RENAME, then {@code UNLOCK TABLES}: T stays as it was. If dray dies
 * before the RENAME is issued, the locks go with the sessions and nothing changed; if it dies
 * after, the RENAME runs once A's session is gone, and the cut-over is complete and exact (every
 * change up to P was applied, and T was locked since P). The RENAME is the single atomic step, so T
 * is never missing. See docs/ONLINE.md.
 */
final class CutOver implements CaughtUpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(CutOver.class);
  private static final Duration POLL = Duration.ofMillis(10);
  private static final Duration SETTLE = Duration.ofMillis(5);
  static final int MAX_ATTEMPTS = 10;

  private final ConnectionConfig server;
  private final Dialect dialect;
  private final AlterStatements sql;
  private final AlterNames names;
  private final List<NewUniqueKey> newUniqueKeys;
  private final Duration lockTimeout;
  private final Duration maxApplyLag;
  private final Path postponeFlag;
  private final BooleanSupplier cutOverNow;
  private final BooleanSupplier postponedByOperator;
  private final AlterListener listener;
  private int attempts;
  private long blockedMillis;

  CutOver(
      ConnectionConfig server,
      Dialect dialect,
      AlterNames names,
      List<NewUniqueKey> newUniqueKeys,
      Duration lockTimeout,
      Duration maxApplyLag,
      Path postponeFlag,
      BooleanSupplier cutOverNow,
      BooleanSupplier postponedByOperator,
      AlterListener listener) {
    this.server = server;
    this.dialect = dialect;
    this.sql = new AlterStatements(dialect);
    this.names = names;
    this.newUniqueKeys = newUniqueKeys;
    this.lockTimeout = lockTimeout;
    this.maxApplyLag = maxApplyLag;
    this.postponeFlag = postponeFlag;
    this.cutOverNow = cutOverNow;
    this.postponedByOperator = postponedByOperator;
    this.listener = listener;
  }

  int attempts() {
    return attempts;
  }

  long blockedMillis() {
    return blockedMillis;
  }

  @Override
  public void caughtUp(LiveApplier applier, Cancellation cancellation) {
    boolean announced = false;
    while (postponed()) {
      if (!announced) {
        listener.postponed(postponeFlag);
        LOG.info("{}: caught up; the cut-over waits while {} exists", names.table(), postponeFlag);
        announced = true;
      }
      applier.throwIfFailed();
      stopIfCancelled(cancellation);
      sleep(Duration.ofMillis(100));
    }
    checkNewUniqueKeys();
    Duration backoff = Duration.ofMillis(250);
    while (true) {
      stopIfCancelled(cancellation);
      while (applier.lag().compareTo(maxApplyLag) > 0) { // catch up before taking locks
        applier.throwIfFailed();
        stopIfCancelled(cancellation);
        sleep(POLL);
      }
      attempts++;
      String failure = attempt(applier);
      if (failure == null) {
        listener.cutOver(Duration.ofMillis(blockedMillis), attempts);
        return;
      }
      LOG.info("{}: cut-over attempt {} rolled back: {}", names.table(), attempts, failure);
      if (attempts >= MAX_ATTEMPTS) {
        throw new DrayException(
            ErrorCode.TASK_FAILED,
            "the cut-over failed "
                + attempts
                + " times (last: "
                + failure
                + "); "
                + names.table()
                + " is unchanged and "
                + names.newTable()
                + " is kept: run again with --resume, perhaps with a longer"
                + " --cut-over-lock-timeout or when fewer long transactions hold the table");
      }
      listener.cutOverFailed(attempts, failure, backoff);
      sleep(backoff);
      backoff =
          backoff.multipliedBy(2).compareTo(Duration.ofSeconds(8)) > 0
              ? Duration.ofSeconds(8)
              : backoff.multipliedBy(2);
    }
  }

  /**
   * Whether the cut-over waits: the flag file exists or an operator postponed it (dray ctl
   * postpone-cutover), and nobody asked for it now (dray ctl cutover, POST /cut-over).
   */
  private boolean postponed() {
    if (cutOverNow != null && cutOverNow.getAsBoolean()) {
      return false;
    }
    return (postponeFlag != null && Files.exists(postponeFlag))
        || (postponedByOperator != null && postponedByOperator.getAsBoolean());
  }

  /** A duplicate in a new unique key fails the alter here, naming the key and value. */
  private void checkNewUniqueKeys() {
    if (newUniqueKeys.isEmpty()) {
      return;
    }
    try (Connection connection = Connections.open(server)) {
      for (NewUniqueKey key : newUniqueKeys) {
        List<Object> value = sql.duplicate(connection, names.table(), key.sourceColumns());
        if (value != null) {
          throw duplicate(key, value);
        }
      }
    } catch (SQLException e) {
      throw new DrayException(
          ErrorCode.CONNECTION_FAILED,
          "cannot check " + names.table() + " for duplicates: " + SqlErrors.describe(e),
          e);
    }
  }

  private DrayException duplicate(NewUniqueKey key, List<Object> value) {
    return new DrayException(
        ErrorCode.TASK_FAILED,
        "the alter cannot be applied: the new unique key "
            + key.name()
            + " ("
            + String.join(", ", key.sourceColumns())
            + ") would hold the value "
            + value
            + " twice (rows of "
            + names.table()
            + " share it); "
            + names.table()
            + " is unchanged: remove the duplicates, or drop "
            + names.newTable()
            + " and change the alter");
  }

  /** One attempt; null when T is the new table, else why it was rolled back (T unchanged). */
  private String attempt(LiveApplier applier) {
    try (Connection locker = Connections.open(server);
        Connection holder = Connections.open(server);
        Connection renamer = Connections.open(server);
        Connection monitor = Connections.open(server)) {
      sql.lockWaitTimeout(locker, lockTimeout);
      sql.lockWaitTimeout(holder, Duration.ofSeconds(1));
      long renamerId = sql.connectionId(renamer);
      sql.lockWaitTimeout(renamer, lockTimeout.multipliedBy(2).plusSeconds(5));
      long requested = System.nanoTime();
      try {
        sql.lockForWrite(locker, List.of(names.table()));
      } catch (SQLException e) {
        return "LOCK TABLES " + names.table() + " WRITE: " + SqlErrors.describe(e);
      }
      long deadline = requested + lockTimeout.toNanos(); // writers wait from the request on
      String failure;
      try {
        failure = catchUp(applier, locker, monitor, deadline);
        if (failure == null) {
          failure = holdNewTable(holder);
        }
      } catch (SQLException | RuntimeException e) {
        dialect.unlockTables(locker);
        throw e;
      }
      if (failure != null) {
        dialect.unlockTables(locker);
        return failure;
      }
      CompletableFuture<Void> rename =
          CompletableFuture.runAsync(
              () -> {
                try {
                  sql.rename(
                      renamer, names.table(), names.oldTable(), names.newTable(), names.table());
                } catch (SQLException e) {
                  throw new IllegalStateException(SqlErrors.describe(e), e);
                }
              });
      failure = awaitRenameWaiting(monitor, rename, renamerId, deadline);
      if (failure == null) {
        // the RENAME's waiting exclusive lock on _T_new goes before anyone else's: it takes it,
        // then waits for T
        dialect.unlockTables(holder);
        failure = awaitRenameHoldsOldName(rename, deadline);
        if (failure == null) {
          sleep(SETTLE); // from its lock on _T_old the RENAME goes straight to the one on T
          failure = awaitRenameWaiting(monitor, rename, renamerId, deadline);
        }
      }
      if (failure != null) {
        sql.killQuery(monitor, renamerId);
        awaitQuietly(rename);
        dialect.unlockTables(holder);
        dialect.unlockTables(locker);
        return failure;
      }
      dialect.unlockTables(locker);
      try {
        rename.get(lockTimeout.multipliedBy(2).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        return "RENAME TABLE failed: " + e.getCause().getMessage();
      }
      blockedMillis = (System.nanoTime() - requested) / 1_000_000;
      LOG.info("{}: cut over; writes waited {} ms", names.table(), blockedMillis);
      checkNoWriteReachedTheOldTable(applier);
      return null;
    } catch (SQLException e) {
      return SqlErrors.describe(e);
    } catch (TimeoutException e) {
      return "the RENAME did not finish";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(ErrorCode.INTERRUPTED, "interrupted during the cut-over", e);
    }
  }

  /**
   * Session C: {@code LOCK TABLES _T_new WRITE}, so that the RENAME waits for it there and no other
   * session can hold {@code _T_new} when it is released; the RENAME then goes on to wait for T.
   * Fails when another session holds {@code _T_new} (a query or an open transaction on it).
   */
  private String holdNewTable(Connection holder) {
    try {
      sql.lockForWrite(holder, List.of(names.newTable()));
      return null;
    } catch (SQLException e) {
      return "another session holds " + names.newTable() + ": " + SqlErrors.describe(e);
    }
  }

  /**
   * After the RENAME: the change stream stops at it (a schema change of T). A change of T logged
   * between the lock and the RENAME would be a write that reached the old table; the applier, which
   * writes {@code _T_new} by name, then fails because that table is gone. Says so loudly.
   */
  private void checkNoWriteReachedTheOldTable(LiveApplier applier) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (applier.failure().isEmpty() && System.nanoTime() < deadline) {
      sleep(POLL);
    }
    Optional<Throwable> failure = applier.failure();
    if (failure.isEmpty()) {
      LOG.warn("{}: the change stream did not reach the RENAME within 10 s", names.table());
    } else if (SqlErrors.isNoSuchTable(failure.get())) {
      throw new DrayException(
          ErrorCode.INTERNAL,
          names.table()
              + " is the new table, but a write reached the old one ("
              + names.oldTable()
              + ") during the cut-over and is not in the new table; compare the two tables"
              + " (dray verify) and report this",
          failure.get());
    }
  }

  private String awaitRenameWaiting(
      Connection monitor, CompletableFuture<Void> rename, long renamerId, long deadline)
      throws SQLException {
    while (!sql.renameWaiting(monitor, renamerId)) {
      if (rename.isDone()) {
        return "the RENAME did not wait for the lock: " + outcome(rename);
      }
      if (System.nanoTime() > deadline) {
        return "the RENAME was not seen waiting within " + lockTimeout.toMillis() + " ms";
      }
      sleep(POLL);
    }
    return null;
  }

  /**
   * With T locked: waits until every change up to the current binlog position is applied; under a
   * new unique key that the rows may break, checks that no row was lost. Returns why not, or null.
   */
  private String catchUp(LiveApplier applier, Connection locker, Connection monitor, long deadline)
      throws SQLException {
    BinlogPosition position = BinlogPreconditions.currentPosition(monitor, dialect);
    while (!applier.appliedThrough(position)) {
      if (System.nanoTime() > deadline) {
        return "the last changes (to "
            + position
            + ") were not applied within --cut-over-lock-timeout "
            + lockTimeout.toMillis()
            + " ms";
      }
      sleep(POLL);
    }
    if (!newUniqueKeys.isEmpty()) {
      long before = sql.count(locker, names.table());
      long after = sql.count(monitor, names.newTable());
      if (before != after) {
        throw new DrayException(
            ErrorCode.TASK_FAILED,
            "the alter cannot be applied: "
                + names.table()
                + " holds "
                + before
                + " rows but "
                + names.newTable()
                + " "
                + after
                + ": a new unique key ("
                + newUniqueKeys.get(0).name()
                + ") lost rows that share a value; "
                + names.table()
                + " is unchanged");
      }
    }
    return null;
  }

  private static String outcome(CompletableFuture<Void> rename) {
    try {
      rename.getNow(null);
      return "it ran";
    } catch (RuntimeException e) {
      return e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
    }
  }

  private void awaitQuietly(CompletableFuture<Void> rename) {
    try {
      rename.get(lockTimeout.multipliedBy(2).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
      LOG.warn("{}: the RENAME ran although it was killed", names.table());
    } catch (ExecutionException expected) {
      LOG.debug("the RENAME was stopped: {}", expected.getCause().getMessage());
    } catch (TimeoutException | InterruptedException e) {
      LOG.debug("the RENAME did not end", e);
    }
  }

  private void stopIfCancelled(Cancellation cancellation) {
    if (cancellation.isCancelled()) {
      throw new DrayException(
          ErrorCode.INTERRUPTED,
          "stopped before the cut-over: "
              + names.table()
              + " is unchanged; continue with --resume");
    }
  }

  /**
   * Waits until the RENAME holds the name {@code _T_old} (probed without waiting, on a connection
   * of its own): it took its locks on {@code _T_new} and {@code _T_old} in name order, so its one
   * remaining request is the exclusive lock on T, which goes before the waiting writers' when T is
   * unlocked. Null when it does, else why not.
   */
  private String awaitRenameHoldsOldName(CompletableFuture<Void> rename, long deadline)
      throws SQLException {
    try (Connection probe = Connections.open(server)) {
      while (!sql.nameLockedByOther(probe, names.oldTable())) {
        if (rename.isDone()) {
          return "the RENAME ended before T was unlocked";
        }
        if (System.nanoTime() > deadline) {
          return "the RENAME did not take " + names.oldTable() + " in time";
        }
        sleep(Duration.ofMillis(2));
      }
      return null;
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DrayException(ErrorCode.INTERRUPTED, "interrupted", e);
    }
  }
}
