package dev.dray.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dray.plan.KeyRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The checkpoint protocol of {@link CopyWorker}, simulated step by step: chunks run in random
 * interleavings (preview + write the checkpoint inside the chunk's transaction, commit or fail,
 * then complete), and the process crashes at a random step. Whatever happened, the durable
 * checkpoint never passes a chunk whose rows did not commit, and its row count is exact.
 */
class CheckpointTrackerTest {
  private enum Phase {
    WAITING,
    IN_TRANSACTION,
    COMMITTED,
    COMPLETED
  }

  @Property(tries = 500)
  void checkpointNeverPassesAnUnfinishedChunk(
      @ForAll @IntRange(min = 1, max = 40) int chunks,
      @ForAll @IntRange(min = -1, max = 5) int resumeAfter,
      @ForAll @IntRange(min = 0, max = 400) int crashAtStep,
      @ForAll Random random) {
    int first = Math.max(0, Math.min(resumeAfter + 1, chunks));
    long rowsBefore = 0;
    for (int s = 0; s < first; s++) {
      rowsBefore += rowsOf(s);
    }
    FrontierPosition start =
        first == 0
            ? FrontierPosition.START
            : new FrontierPosition(first - 1, range(first - 1), rowsBefore);
    CheckpointTracker tracker = new CheckpointTracker(start);
    FrontierPosition durable = start;
    Phase[] phase = new Phase[chunks];
    List<Optional<FrontierPosition>> pendingWrite = new ArrayList<>();
    for (int s = 0; s < chunks; s++) {
      phase[s] = s < first ? Phase.COMPLETED : Phase.WAITING;
      pendingWrite.add(Optional.empty());
    }
    boolean[] committed = new boolean[chunks];
    for (int s = 0; s < first; s++) {
      committed[s] = true;
    }
    for (int step = 0; step < crashAtStep; step++) {
      List<Integer> open = new ArrayList<>();
      for (int s = 0; s < chunks; s++) {
        if (phase[s] != Phase.COMPLETED) {
          open.add(s);
        }
      }
      if (open.isEmpty()) {
        break;
      }
      int s = open.get(random.nextInt(open.size()));
      switch (phase[s]) {
        case WAITING -> {
          pendingWrite.set(s, tracker.preview(s, range(s), rowsOf(s)));
          phase[s] = Phase.IN_TRANSACTION;
        }
        case IN_TRANSACTION -> {
          if (random.nextInt(5) == 0) {
            phase[s] = Phase.WAITING; // deadlock or lost connection: rolled back, retried later
          } else {
            committed[s] = true;
            Optional<FrontierPosition> write = pendingWrite.get(s);
            if (write.isPresent() && write.get().sequence() > durable.sequence()) {
              durable = write.get(); // UPDATE ... WHERE frontier_sequence < new
            }
            phase[s] = Phase.COMMITTED;
          }
        }
        case COMMITTED -> {
          tracker.complete(s, range(s), rowsOf(s));
          phase[s] = Phase.COMPLETED;
        }
        default -> throw new IllegalStateException();
      }
      assertDurableCheckpointValid(durable, committed);
      // the in-memory frontier never passes an uncommitted chunk either
      assertDurableCheckpointValid(tracker.position(), committed);
    }
    assertDurableCheckpointValid(durable, committed);
    boolean allDone = true;
    for (Phase p : phase) {
      allDone &= p == Phase.COMPLETED;
    }
    if (allDone) {
      assertThat(tracker.position().sequence()).isEqualTo(chunks - 1);
      assertThat(tracker.position().rowsCopied()).isEqualTo(rowsThrough(chunks - 1));
      assertThat(tracker.pendingCount()).isZero();
    }
  }

  private static void assertDurableCheckpointValid(FrontierPosition durable, boolean[] committed) {
    for (int s = 0; s <= durable.sequence(); s++) {
      assertThat(committed[s])
          .as("chunk %d below checkpoint %d is committed", s, durable.sequence())
          .isTrue();
    }
    if (durable.sequence() >= 0) {
      assertThat(durable.rowsCopied()).isEqualTo(rowsThrough(durable.sequence()));
      assertThat(durable.lastRange()).isEqualTo(range(durable.sequence()));
    }
  }

  private static long rowsOf(long sequence) {
    return 10 + sequence % 7;
  }

  private static long rowsThrough(long sequence) {
    long total = 0;
    for (long s = 0; s <= sequence; s++) {
      total += rowsOf(s);
    }
    return total;
  }

  private static KeyRange range(long sequence) {
    return new KeyRange(List.of(sequence * 100), List.of((sequence + 1) * 100));
  }
}
