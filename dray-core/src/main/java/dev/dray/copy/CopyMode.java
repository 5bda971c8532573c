package dev.dray.copy;

/** How chunks move from source to target. */
public enum CopyMode {
  /** Server-side when source and target are the same server (and user), streaming otherwise. */
  AUTO,
  /** {@code INSERT INTO target SELECT ... FROM source ... LOCK IN SHARE MODE}, one per chunk. */
  SERVER_SIDE,
  /** Read the range from the source, write batched multi-row inserts to the target. */
  STREAMING
}
