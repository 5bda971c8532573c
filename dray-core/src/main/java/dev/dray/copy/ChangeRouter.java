package dev.dray.copy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The consistency rule of the online copy, on its own so it can be tested without servers: a change
 * to a key whose chunk has committed is applied at once; a change to any other key is held (the
 * last image per key, a delete as an empty image) and released when the copy frontier passes the
 * key, after that chunk committed. So a chunk never copies into a range that changes touched, and
 * every change to a key lands after the chunk read of that key, in log order: the log's row image
 * wins over the chunk read. See docs/ONLINE.md for the argument.
 *
 * <p>It also says how far the log position may be stored: not past the first transaction whose
 * change is still held, so that a restart from the stored position reads every held change again.
 * Single-threaded: the applier thread owns it.
 *
 * @param <V> the change: a row image, or {@link Optional#empty()} for a delete
 */
final class ChangeRouter<V> {
  /** A change waiting for its chunk, with the transaction that first touched the key. */
  private record Held<V>(Optional<V> image, long firstSequence, Object firstStart) {}

  private final Comparator<List<Object>> order;
  private final TreeMap<List<Object>, Held<V>> held;
  private final TreeMap<Long, Integer> heldSequences = new TreeMap<>();
  private final Map<Long, Object> startOfSequence = new java.util.HashMap<>();
  private CopyFrontier frontier;

  ChangeRouter(Comparator<List<Object>> order, CopyFrontier frontier) {
    this.order = order;
    this.held = new TreeMap<>(order);
    this.frontier = frontier;
  }

  CopyFrontier frontier() {
    return frontier;
  }

  /**
   * Moves the frontier (never back) and returns the held changes it releases, in key order: the
   * caller applies them before any change routed after this call.
   */
  List<Map.Entry<List<Object>, Optional<V>>> advance(CopyFrontier next) {
    if (!next.atLeast(frontier, order)) {
      return List.of();
    }
    frontier = next;
    NavigableMap<List<Object>, Held<V>> released =
        next.all()
            ? held
            : next.upper() == null ? new TreeMap<>(order) : held.headMap(next.upper(), false);
    List<Map.Entry<List<Object>, Optional<V>>> result = new ArrayList<>(released.size());
    for (Map.Entry<List<Object>, Held<V>> entry : released.entrySet()) {
      result.add(Map.entry(entry.getKey(), entry.getValue().image()));
      forget(entry.getValue().firstSequence());
    }
    released.clear();
    return result;
  }

  /**
   * Routes one change of transaction {@code sequence} (which started at {@code start}): true when
   * the caller must apply it now, false when it is held.
   */
  boolean route(List<Object> key, Optional<V> image, long sequence, Object start) {
    if (frontier.covers(key, order)) {
      return true;
    }
    Held<V> before = held.get(key);
    if (before == null) {
      held.put(key, new Held<>(image, sequence, start));
      heldSequences.merge(sequence, 1, Integer::sum);
      startOfSequence.putIfAbsent(sequence, start);
    } else {
      held.put(key, new Held<>(image, before.firstSequence(), before.firstStart()));
    }
    return false;
  }

  private void forget(long sequence) {
    Integer count = heldSequences.get(sequence);
    if (count == null) {
      return;
    }
    if (count == 1) {
      heldSequences.remove(sequence);
      startOfSequence.remove(sequence);
    } else {
      heldSequences.put(sequence, count - 1);
    }
  }

  /**
   * The start of the earliest transaction with a held change: the log must be re-read from there.
   */
  Optional<Object> earliestHeldStart() {
    return heldSequences.isEmpty()
        ? Optional.empty()
        : Optional.of(startOfSequence.get(heldSequences.firstKey()));
  }

  int heldCount() {
    return held.size();
  }
}
