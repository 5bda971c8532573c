package dev.dray.copy;

import java.util.Comparator;
import java.util.List;

/**
 * How far the chunk copy has got, as the online copy sees it: every key below {@link #upper()} is
 * in a committed chunk. {@link #NONE} before the first chunk, {@link #ALL} when the whole table is
 * copied.
 *
 * @param upper the exclusive upper bound of the copied keys; null with {@code all}
 * @param all whether every key is copied
 */
record CopyFrontier(List<Object> upper, boolean all) {
  static final CopyFrontier NONE = new CopyFrontier(null, false);
  static final CopyFrontier ALL = new CopyFrontier(null, true);

  static CopyFrontier of(FrontierPosition position) {
    if (position.lastRange() == null) {
      return NONE;
    }
    return position.lastRange().upper() == null
        ? ALL
        : new CopyFrontier(position.lastRange().upper(), false);
  }

  boolean covers(List<Object> key, Comparator<List<Object>> order) {
    return all || (upper != null && order.compare(key, upper) < 0);
  }

  /** Whether this frontier is at or past {@code other}. */
  boolean atLeast(CopyFrontier other, Comparator<List<Object>> order) {
    if (all) {
      return true;
    }
    if (other.all) {
      return false;
    }
    if (other.upper == null) {
      return true;
    }
    return upper != null && order.compare(upper, other.upper) >= 0;
  }
}
