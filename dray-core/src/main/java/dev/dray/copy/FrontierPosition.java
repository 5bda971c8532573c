package dev.dray.copy;

import dev.dray.plan.KeyRange;

/**
 * Where a copy's frontier stands: every chunk with a sequence number up to {@code sequence} is
 * copied, and so is every key below {@code lastRange.upper()}.
 *
 * @param sequence the last contiguous finished chunk, -1 before the first
 * @param lastRange that chunk's key range, or null before the first
 * @param rowsCopied rows written by the chunks up to the frontier
 */
public record FrontierPosition(long sequence, KeyRange lastRange, long rowsCopied) {
  public static final FrontierPosition START = new FrontierPosition(-1, null, 0);
}
