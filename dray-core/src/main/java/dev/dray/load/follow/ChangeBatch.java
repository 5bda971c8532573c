package dev.dray.load.follow;

import dev.dray.change.ChangeTransaction;
import dev.dray.change.RowChange;
import dev.dray.db.BinlogPosition;
import dev.dray.db.TableName;
import dev.dray.load.FollowTable;
import dev.dray.load.FollowTarget.ImageRow;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes read since the last apply, folded per key: each key keeps only its last row image, or
 * a delete marker (with the last image, whose key the delete matches) when its last change removed
 * it. An update that moves a row to another key deletes the old key and writes the new one. Whole
 * transactions only: a batch ends at a source commit.
 *
 * <p>Public for the applier benchmark in dray-bench, which feeds it synthetic changes.
 *
 * <p>A table's changes in a transaction that ends at or before its floor (the position of the
 * snapshot its rows came from) are already in its rows, and skipped.
 */
public final class ChangeBatch {
  private static final int ROW_OVERHEAD_BYTES = 48;

  private final Map<TableName, FollowTable> tables;
  private final Map<TableName, BinlogPosition> floors;
  private final Map<TableName, LinkedHashMap<Object, ImageRow>> rows = new HashMap<>();
  private int transactions;
  private long changes;
  private long bytes;
  private Instant oldestCommit;
  private BinlogPosition end;

  public ChangeBatch(Map<TableName, FollowTable> tables, Map<TableName, BinlogPosition> floors) {
    this.tables = tables;
    this.floors = floors;
  }

  public void add(ChangeTransaction transaction) {
    transactions++;
    end = transaction.end();
    boolean counted = false;
    for (RowChange change : transaction.changes()) {
      FollowTable table = tables.get(change.table());
      if (table == null) {
        continue;
      }
      BinlogPosition floor = floors.get(change.table());
      if (floor != null && transaction.end().compareTo(floor) <= 0) {
        continue;
      }
      if (!counted) {
        counted = true;
        if (oldestCommit == null) {
          oldestCommit = transaction.commitTime();
        }
      }
      changes++;
      Map<Object, ImageRow> byKey =
          rows.computeIfAbsent(change.table(), t -> new LinkedHashMap<>());
      switch (change.kind()) {
        case INSERT -> put(byKey, table, new ImageRow(false, change.after()));
        case DELETE -> put(byKey, table, new ImageRow(true, change.before()));
        case UPDATE -> {
          Object before = key(table, change.before());
          Object after = key(table, change.after());
          if (!before.equals(after)) {
            byKey.put(before, new ImageRow(true, change.before()));
          }
          bytes += size(change.after());
          byKey.put(after, new ImageRow(false, change.after()));
        }
      }
    }
  }

  private void put(Map<Object, ImageRow> byKey, FollowTable table, ImageRow row) {
    bytes += size(row.image());
    byKey.put(key(table, row.image()), row);
  }

  /**
   * The key of an image: the value of a one-column key, else the list of values; byte arrays
   * wrapped so that equal contents are equal keys.
   */
  private static Object key(FollowTable table, List<Object> image) {
    List<Integer> indexes = table.keyIndexes();
    if (indexes.size() == 1) {
      return keyValue(image.get(indexes.get(0)));
    }
    List<Object> key = new ArrayList<>(indexes.size());
    for (int index : indexes) {
      key.add(keyValue(image.get(index)));
    }
    return key;
  }

  private static Object keyValue(Object value) {
    return value instanceof byte[] b ? ByteBuffer.wrap(b) : value;
  }

  private static long size(List<Object> image) {
    long size = ROW_OVERHEAD_BYTES;
    for (Object value : image) {
      if (value instanceof String s) {
        size += 40 + 2L * s.length();
      } else if (value instanceof byte[] b) {
        size += 16 + b.length;
      } else {
        size += 16;
      }
    }
    return size;
  }

  public boolean isEmpty() {
    return transactions == 0;
  }

  public boolean hasChanges() {
    return changes > 0;
  }

  public int transactions() {
    return transactions;
  }

  public long changes() {
    return changes;
  }

  public long bytes() {
    return bytes;
  }

  /** The commit time of the first transaction with a change to apply, or null. */
  public Instant oldestCommit() {
    return oldestCommit;
  }

  /** Where the last transaction ended: the position the tables reach with this batch. */
  public BinlogPosition end() {
    return end;
  }

  public long rowCount() {
    return rows.values().stream().mapToLong(Map::size).sum();
  }

  /** The final row states per table, for {@code FollowTarget.apply}. */
  public Map<FollowTable, Collection<ImageRow>> rowsByTable() {
    Map<FollowTable, Collection<ImageRow>> result = new LinkedHashMap<>();
    rows.forEach((name, byKey) -> result.put(tables.get(name), byKey.values()));
    return result;
  }
}
