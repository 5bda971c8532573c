package dev.dray.copy;

import dev.dray.db.BinlogPosition;
import dev.dray.run.Cancellation;
import java.time.Duration;

/**
 * What an online copy does once its target has caught up, while changes keep being applied: {@code
 * dray alter}'s cut-over. When it returns, the applier stops without applying more (the source
 * table may have been renamed away).
 */
public interface CaughtUpHandler {
  void caughtUp(LiveApplier applier, Cancellation cancellation);

  /** The running applier, as the handler sees it. */
  interface LiveApplier {
    /**
     * Whether every change of the source table up to {@code position} is applied to the target;
     * throws when the applier failed.
     */
    boolean appliedThrough(BinlogPosition position);

    /** Source commit to applied, of the last batch; zero when nothing read waits. */
    Duration lag();

    /** Throws the applier's failure, if any. */
    void throwIfFailed();

    /** The applier's failure, if it failed (it stops at the first). */
    java.util.Optional<Throwable> failure();
  }
}
