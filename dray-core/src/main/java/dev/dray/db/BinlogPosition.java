package dev.dray.db;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.ErrorCode;

/**
 * A point in a server's binary log: the file and the byte offset of the next event, plus the GTID
 * state there where the server reports one (MariaDB {@code 0-1-42}, MySQL {@code uuid:1-42}).
 *
 * <p>Positions of one server order by file sequence number, then offset; the GTID is carried along
 * for the user (and for a later GTID-based start) and does not take part in the order.
 *
 * @param file the binary log file name, e.g. {@code mysql-bin.000003}
 * @param position the byte offset in that file
 * @param gtid the GTID state at this point, or null when unknown
 */
public record BinlogPosition(String file, long position, String gtid)
    implements Comparable<BinlogPosition> {
  public BinlogPosition {
    requireNonNull(file, "file is null");
    if (file.isBlank()) {
      throw new IllegalArgumentException("binlog file name is blank");
    }
    if (position < 0) {
      throw new IllegalArgumentException("binlog position is negative: " + position);
    }
    gtid = gtid == null || gtid.isBlank() ? null : gtid;
  }

  /** The same point with another GTID text. */
  public BinlogPosition withGtid(String newGtid) {
    return new BinlogPosition(file, position, newGtid);
  }

  /** Parses {@code file:pos}, the form {@link #coordinates()} prints. */
  public static BinlogPosition parse(String text) {
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon <= 0) {
      throw DrayException.usage("not a binlog position (file:pos): " + text);
    }
    try {
      return new BinlogPosition(
          text.substring(0, colon), Long.parseLong(text.substring(colon + 1)), null);
    } catch (IllegalArgumentException e) {
      throw new DrayException(ErrorCode.USAGE, "not a binlog position (file:pos): " + text, e);
    }
  }

  /** {@code file:pos}. */
  public String coordinates() {
    return file + ":" + position;
  }

  /** The numeric suffix of the file name ({@code .000003} is 3), or -1 when there is none. */
  public long fileSequence() {
    int dot = file.lastIndexOf('.');
    try {
      return dot < 0 ? -1 : Long.parseLong(file.substring(dot + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public int compareTo(BinlogPosition other) {
    int byFile = Long.compare(fileSequence(), other.fileSequence());
    if (byFile == 0 && fileSequence() < 0) {
      byFile = file.compareTo(other.file);
    }
    return byFile != 0 ? byFile : Long.compare(position, other.position);
  }

  @Override
  public String toString() {
    return coordinates() + (gtid == null ? "" : " (GTID " + gtid + ")");
  }
}
