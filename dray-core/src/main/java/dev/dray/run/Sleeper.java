package dev.dray.run;

import java.time.Duration;

/** All waiting goes through here, so tests can run without real waiting. */
@FunctionalInterface
public interface Sleeper {
  Sleeper SYSTEM =
      duration -> {
        if (!duration.isNegative() && !duration.isZero()) {
          Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        }
      };

  void sleep(Duration duration) throws InterruptedException;
}
