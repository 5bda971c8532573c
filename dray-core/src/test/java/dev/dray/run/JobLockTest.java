package dev.dray.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class JobLockTest {
  private static final Duration FAST = Duration.ofMillis(100);

  private static long holder(TestDatabase db, String name) {
    return db.queryLong("SELECT COALESCE(IS_USED_LOCK('" + name + "'), 0)");
  }

  @Test
  void oneHolderAtATimeAndFreeAfterClose(TestDatabase db) {
    String key = "dray:test:" + db.schema() + ".one";
    try (JobLock first = JobLock.acquire(db.config(), key, "job one", "wait", FAST, null)) {
      assertThat(first.held()).isTrue();
      long id = holder(db, key);
      assertThat(id).isPositive();
      DrayException e =
          catchThrowableOfType(
              DrayException.class,
              () -> JobLock.acquire(db.config(), key, "job one again", "wait for it", FAST, null));
      assertThat(e.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
      assertThat(e.getMessage())
          .startsWith("job one again cannot start: connection " + id + " from ")
          .contains("holds its lock " + key)
          .endsWith(": wait for it");
      assertThat(JobLock.holder(db.config(), key))
          .hasValueSatisfying(h -> h.startsWith("connection " + id));
    }
    assertThat(holder(db, key)).isZero();
    assertThat(JobLock.holder(db.config(), key)).isEmpty();
  }

  @Test
  void longKeysAreHashedWithinTheServersLimit(TestDatabase db) {
    String key = "dray:copy:" + "x".repeat(200);
    String name = JobLock.lockName(key, 64);
    assertThat(name).hasSize(64).startsWith("dray:copy:xxx");
    assertThat(JobLock.lockName(key + "y", 64)).isNotEqualTo(name);
    try (JobLock lock = JobLock.acquire(db.config(), key, "long", "wait", FAST, null)) {
      assertThat(holder(db, name)).isPositive();
    }
  }

  /** The heartbeat notices a killed session and takes the lock again on a new one. */
  @Test
  void retakesTheLockWhenItsSessionIsKilled(TestDatabase db) throws Exception {
    String key = "dray:test:" + db.schema() + ".kill";
    CompletableFuture<DrayException> lost = new CompletableFuture<>();
    try (JobLock lock = JobLock.acquire(db.config(), key, "job", "wait", FAST, lost::complete)) {
      long first = holder(db, key);
      db.execute("KILL " + first);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while ((holder(db, key) == 0 || holder(db, key) == first) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(holder(db, key)).isPositive().isNotEqualTo(first);
      assertThat(lock.held()).isTrue();
      assertThat(lost).isNotDone();
    }
  }

  /** When another session took the lock while this one was gone, the job is told to stop. */
  @Test
  void reportsTheLockLostWhenAnotherSessionTookIt(TestDatabase db) throws Exception {
    String key = "dray:test:" + db.schema() + ".lost";
    CompletableFuture<DrayException> lost = new CompletableFuture<>();
    try (JobLock lock =
            JobLock.acquire(
                db.config(), key, "job lost", "wait", Duration.ofSeconds(1), lost::complete);
        Connection other = db.connect()) {
      long first = holder(db, key);
      db.execute("KILL " + first);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      boolean taken = false;
      while (!taken && System.nanoTime() < deadline) {
        try (PreparedStatement ps = other.prepareStatement("SELECT GET_LOCK(?, 0)")) {
          ps.setString(1, key);
          try (ResultSet rs = ps.executeQuery()) {
            taken = rs.next() && rs.getInt(1) == 1;
          }
        }
      }
      assertThat(taken).as("another session took the lock").isTrue();
      DrayException e = lost.get(10, TimeUnit.SECONDS);
      assertThat(e.code()).isEqualTo(ErrorCode.TARGET_UNAVAILABLE);
      assertThat(e.getMessage()).startsWith("lost the lock of job lost").contains("stopping");
      assertThat(lock.held()).isFalse();
    }
  }
}
