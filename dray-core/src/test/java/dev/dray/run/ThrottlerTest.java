package dev.dray.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.testing.MariaDbExtension;
import dev.dray.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MariaDbExtension.class)
class ThrottlerTest {
  @Test
  void workersWaitWhileAConditionHoldsAndTheWaitIsCounted() throws Exception {
    AtomicLong now = new AtomicLong();
    AtomicBoolean busy = new AtomicBoolean(true);
    AtomicLong sleeps = new AtomicLong();
    ThrottleCondition condition =
        new ThrottleCondition() {
          @Override
          public Optional<String> check() {
            return busy.get() ? Optional.of("busy") : Optional.empty();
          }

          @Override
          public boolean inline() {
            return true;
          }
        };
    // a fake sleeper: advances the fake clock; the condition clears after 10 waits
    Sleeper sleeper =
        duration -> {
          now.addAndGet(duration.toNanos());
          if (sleeps.incrementAndGet() == 10) {
            busy.set(false);
          }
        };
    try (Throttler throttler =
        new Throttler(List.of(condition), Duration.ofSeconds(1), sleeper, now::get)) {
      throttler.start();
      throttler.awaitClear(new Cancellation());
      assertThat(sleeps.get()).isEqualTo(10);
      assertThat(throttler.throttledTime()).isEqualTo(Throttler.WAIT_STEP.multipliedBy(10));
      assertThat(throttler.lastReason()).isEqualTo("busy");
      assertThat(throttler.currentReason()).isEmpty();
    }
  }

  @Test
  void rateLimitThrottlesUntilTheBucketRefills() {
    AtomicLong now = new AtomicLong();
    ThrottleCondition limit = ThrottleConditions.rateLimit(1000, now::get);
    assertThat(limit.check()).isEmpty();
    limit.recordRows(500);
    assertThat(limit.check()).contains("rate limit 1000 rows/s");
    now.addAndGet(Duration.ofMillis(499).toNanos());
    assertThat(limit.check()).isPresent();
    now.addAndGet(Duration.ofMillis(2).toNanos());
    assertThat(limit.check()).isEmpty();
    // idle time builds at most one second of burst
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    limit.recordRows(1500);
    assertThat(limit.check()).isPresent();
  }

  @Test
  void aServerThatDoesNotReplicateThrottlesAsAReplica(TestDatabase db) {
    try (ThrottleCondition lag =
        ThrottleConditions.replicaLag(db.config(), Duration.ofSeconds(1))) {
      assertThat(lag.check()).get().asString().contains("is not replicating");
    }
  }

  @Test
  void anUnreachableServerThrottlesWithTheReason() {
    var nowhere =
        new dev.dray.db.ConnectionConfig(
            "jdbc:mariadb://127.0.0.1:1/x?connectTimeout=500", "root", null);
    try (ThrottleCondition running = ThrottleConditions.threadsRunning(nowhere, 10)) {
      assertThat(running.check()).get().asString().startsWith("cannot check threads running");
    }
  }
}
