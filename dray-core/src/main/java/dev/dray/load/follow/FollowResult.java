package dev.dray.load.follow;

import dev.dray.db.BinlogPosition;
import java.util.List;

/**
 * What a follow run did.
 *
 * @param start the position it started from (the snapshot's, or the stored one on resume)
 * @param position the position the tables are current to at the end (stored in the file)
 * @param transactions source transactions read
 * @param changesApplied row changes of the followed tables applied
 * @param rowsWritten rows written after deduplication per key
 * @param batches DuckDB transactions that applied changes
 * @param reloads tables reloaded after a schema change
 * @param freshnessP50 median freshness over the batches with changes, seconds
 * @param freshnessP99 99th percentile, seconds
 * @param freshnessMax the worst, seconds
 * @param seconds how long it followed
 * @param stoppedBecause why it stopped ({@code signal}, {@code follow-for})
 * @param schemaChanges the schema-change statements that made it reload a table
 */
public record FollowResult(
    BinlogPosition start,
    BinlogPosition position,
    long transactions,
    long changesApplied,
    long rowsWritten,
    long batches,
    int reloads,
    double freshnessP50,
    double freshnessP99,
    double freshnessMax,
    double seconds,
    String stoppedBecause,
    List<String> schemaChanges) {
  public FollowResult {
    schemaChanges = List.copyOf(schemaChanges);
  }

  public double changesPerSecond() {
    return seconds <= 0 ? changesApplied : changesApplied / seconds;
  }
}
