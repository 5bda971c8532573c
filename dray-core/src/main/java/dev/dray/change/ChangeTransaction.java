package dev.dray.change;

import static java.util.Objects.requireNonNull;

import dev.dray.db.BinlogPosition;
import java.time.Instant;
import java.util.List;

/**
 * One committed source transaction as the change stream read it: its row changes on the followed
 * tables (none when it touched only other tables: it still moves the position), where it started
 * and where the log continues after its commit.
 *
 * @param sequence the stream's own count of transactions, from 1, gap-free
 * @param start the position before the transaction: a stream restarted here reads it again
 * @param end the position after its commit event: a stream restarted here reads what follows
 * @param commitTime the source's commit time (the commit event's timestamp, whole seconds)
 * @param changes the row changes on followed tables, in log order
 */
public record ChangeTransaction(
    long sequence,
    BinlogPosition start,
    BinlogPosition end,
    Instant commitTime,
    List<RowChange> changes) {
  public ChangeTransaction {
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
    requireNonNull(commitTime, "commitTime is null");
    changes = List.copyOf(changes);
  }
}
