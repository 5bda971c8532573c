package dev.dray.copy;

import dev.dray.db.BinlogPosition;
import java.util.function.Supplier;

/** Hears an online copy: the chunk copy's events plus the applier's. */
public interface OnlineCopyListener extends CopyListener {
  OnlineCopyListener NONE = new OnlineCopyListener() {};

  /**
   * The change stream runs from {@code start}; {@code progress} gives a fresh snapshot per call.
   */
  default void applying(BinlogPosition start, Supplier<ApplyProgress> progress) {}

  /** The target has caught up with the source at {@code position} (after the chunk copy). */
  default void caughtUp(BinlogPosition position) {}
}
