package dev.dray.copy;

import java.util.function.Supplier;

/** Hears a copy's progress: for progress bars, logs and tests. */
public interface CopyListener {
  CopyListener NONE = new CopyListener() {};

  /** The plan is settled and the workers are about to start. */
  default void planned(CopyPlan plan) {}

  /** Workers run; {@code progress} gives a fresh snapshot on every call. */
  default void started(Supplier<CopyProgress> progress) {}

  /** The frontier moved (the checkpoint was or will be written up to here). */
  default void frontierAdvanced(FrontierPosition position) {}
}
