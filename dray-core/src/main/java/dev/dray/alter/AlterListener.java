package dev.dray.alter;

import dev.dray.copy.OnlineCopyListener;
import java.nio.file.Path;
import java.time.Duration;

/** Hears an alter: the online copy's events, then the cut-over's. */
public interface AlterListener extends OnlineCopyListener {
  AlterListener NONE = new AlterListener() {};

  /** The alter is checked; the new table is about to be created (or resumed). */
  default void alterPlanned(AlterPlan plan) {}

  /** Caught up, and the cut-over waits while {@code flagFile} exists. */
  default void postponed(Path flagFile) {}

  /** Attempt {@code attempt} of the cut-over was rolled back; the table is unchanged. */
  default void cutOverFailed(int attempt, String reason, Duration retryIn) {}

  /** The table is the new one; writes to it waited at most {@code blocked}. */
  default void cutOver(Duration blocked, int attempts) {}
}
