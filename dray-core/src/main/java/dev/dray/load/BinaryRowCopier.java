package dev.dray.load;

import dev.dray.db.ColumnInfo;
import dev.dray.load.DuckDbColumn.BinaryCell;
import dev.dray.load.DuckDbColumn.CellCopier;
import dev.dray.load.DuckDbColumn.CellCounters;
import dev.dray.load.spi.BinaryRows;
import dev.dray.load.spi.RowSink;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies rows of a binary-protocol result into the sink by reading the bytes the server sent
 * ({@link BinaryRows#currentRow}, available with the optional module {@code dray-driver-access})
 * instead of calling one JDBC getter per cell: integers, floats and text are appended straight from
 * the row packet, without the driver's per-cell position walk, codec dispatch, {@code wasNull} call
 * and, for text, a new {@code byte[]}. Columns whose value needs the driver (TIMESTAMP, TIME, wide
 * DECIMAL, UUID), or whose wire type is not the one the column's mapping expects, still go through
 * their {@link CellCopier} on the same row.
 *
 * <p>The binary row: a 0x00 header, a NULL bitmap of {@code (columns + 9) / 8} bytes in which
 * column {@code i} is bit {@code i + 2}, then each non-NULL value: 1, 2, 4 or 8 little-endian bytes
 * for integer and floating-point types, a one-byte length and that many bytes for temporal types,
 * and a length-encoded integer and that many bytes for everything else (MariaDB's client/server
 * protocol, "Binary resultset row").
 */
final class BinaryRowCopier {
  private static final VarHandle LE_SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LE_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LE_LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** MySQL wire types ({@code MYSQL_TYPE_*} in the protocol's column definitions). */
  static final class Wire {
    static final int TINY = 1;
    static final int SHORT = 2;
    static final int LONG = 3;
    static final int FLOAT = 4;
    static final int DOUBLE = 5;
    static final int NULL = 6;
    static final int TIMESTAMP = 7;
    static final int LONGLONG = 8;
    static final int INT24 = 9;
    static final int DATE = 10;
    static final int TIME = 11;
    static final int DATETIME = 12;
    static final int YEAR = 13;
    static final int NEWDATE = 14;
    static final int VARCHAR = 15;
    static final int BIT = 16;
    static final int JSON = 245;
    static final int NEWDECIMAL = 246;
    static final int GEOMETRY = 255;

    private Wire() {}
  }

  private final BinaryRows rows;
  private final int columns;
  private final int[] wireTypes;
  private final boolean[] unsigned;
  private final BinaryCell[] cells;
  private final CellCopier[] fallback;
  private final int bitmapBytes;

  private BinaryRowCopier(
      BinaryRows rows,
      int[] wireTypes,
      boolean[] unsigned,
      BinaryCell[] cells,
      CellCopier[] fallback) {
    this.rows = rows;
    this.columns = wireTypes.length;
    this.wireTypes = wireTypes;
    this.unsigned = unsigned;
    this.cells = cells;
    this.fallback = fallback;
    this.bitmapBytes = (columns + 9) / 8;
  }

  /**
   * A copier for {@code rs}'s rows, or null when {@code rs} does not give access to binary rows (no
   * {@code dray-driver-access}, another driver or driver version, the text protocol, or {@code
   * dray.load.rowDecoding=driver} to compare both paths).
   */
  static BinaryRowCopier forResult(ResultSet rs, List<DuckDbColumn> mapped) {
    return forRows(DriverAccess.shared().binaryRows(rs), mapped);
  }

  static BinaryRowCopier forRows(BinaryRows rows, List<DuckDbColumn> mapped) {
    if (rows == null) {
      return null;
    }
    int[] wireTypes = rows.wireTypes();
    if (wireTypes == null || wireTypes.length != mapped.size()) {
      return null;
    }
    boolean[] unsigned = rows.unsignedColumns();
    BinaryCell[] cells = new BinaryCell[wireTypes.length];
    CellCopier[] fallback = new CellCopier[wireTypes.length];
    for (int i = 0; i < cells.length; i++) {
      BinaryCell cell = mapped.get(i).binaryCell();
      cells[i] = accepts(cell, wireTypes[i]) ? cell : BinaryCell.DRIVER;
      fallback[i] = mapped.get(i).copier();
    }
    return new BinaryRowCopier(rows, wireTypes, unsigned, cells, fallback);
  }

  /** How each column is appended, by name (for tests). */
  Map<String, BinaryCell> cellsByName(List<ColumnInfo> columnsInOrder) {
    Map<String, BinaryCell> byName = new LinkedHashMap<>();
    for (int i = 0; i < cells.length; i++) {
      byName.put(columnsInOrder.get(i).name(), cells[i]);
    }
    return byName;
  }

  /** Whether a value of this wire type can be appended as {@code cell} from its raw bytes. */
  static boolean accepts(BinaryCell cell, int wireType) {
    return switch (cell) {
      case DRIVER -> false;
      case INT8, INT16, INT32, INT64, UNSCALED, EPOCH_DAYS, EPOCH_MICROS ->
          integerWidth(wireType) > 0;
      case FLOAT -> wireType == Wire.FLOAT;
      case DOUBLE -> wireType == Wire.DOUBLE;
      case BIT_BOOLEAN, BIT_LONG -> wireType == Wire.BIT;
      case BYTES -> isLengthEncodedBytes(wireType);
    };
  }

  /** How many bytes an integer of this wire type takes, or 0 when it is not an integer type. */
  static int integerWidth(int wireType) {
    return switch (wireType) {
      case Wire.TINY -> 1;
      case Wire.SHORT, Wire.YEAR -> 2;
      case Wire.LONG, Wire.INT24 -> 4;
      case Wire.LONGLONG -> 8;
      default -> 0;
    };
  }

  private static boolean isLengthEncodedBytes(int wireType) {
    return wireType == Wire.VARCHAR
        || (wireType >= Wire.JSON && wireType <= Wire.GEOMETRY && wireType != Wire.NEWDECIMAL);
  }

  /**
   * Appends the row {@code rs} is on; columns the driver must decode are read through {@code rs}.
   */
  void copy(ResultSet rs, RowSink appender, CellCounters counters) throws SQLException {
    byte[] row = rows.currentRow();
    int position = 1 + bitmapBytes;
    for (int i = 0; i < columns; i++) {
      int bit = i + 2;
      boolean isNull = (row[1 + (bit >>> 3)] & (1 << (bit & 7))) != 0;
      BinaryCell cell = cells[i];
      if (isNull) {
        if (cell == BinaryCell.DRIVER) {
          fallback[i].copy(rs, i + 1, appender, counters);
        } else {
          appender.appendNull();
        }
        continue;
      }
      int wireType = wireTypes[i];
      int width = fixedWidth(wireType);
      int start;
      int length;
      if (width >= 0) {
        start = position;
        length = width;
      } else if (isTemporal(wireType)) {
        start = position + 1;
        length = row[position] & 0xFF;
      } else {
        int first = row[position] & 0xFF;
        if (first < 0xFB) {
          start = position + 1;
          length = first;
        } else if (first == 0xFC) {
          start = position + 3;
          length = (short) LE_SHORT.get(row, position + 1) & 0xFFFF;
        } else if (first == 0xFD) {
          start = position + 4;
          length =
              (row[position + 1] & 0xFF)
                  | (row[position + 2] & 0xFF) << 8
                  | (row[position + 3] & 0xFF) << 16;
        } else if (first == 0xFE) {
          start = position + 9;
          length = Math.toIntExact((long) LE_LONG.get(row, position + 1));
        } else {
          throw new SQLException(
              "unexpected length prefix 0x" + Integer.toHexString(first) + " in column " + (i + 1));
        }
      }
      position = start + length;
      switch (cell) {
        case DRIVER -> fallback[i].copy(rs, i + 1, appender, counters);
        case INT8 -> appender.append((byte) integer(row, start, length, i));
        case INT16 -> appender.append((short) integer(row, start, length, i));
        case INT32 -> appender.append((int) integer(row, start, length, i));
        case INT64 -> appender.append(integer(row, start, length, i));
        case UNSCALED -> appender.appendUnscaled(integer(row, start, length, i));
        case EPOCH_DAYS -> {
          long days = integer(row, start, length, i);
          if (days == DuckDbColumn.ZERO_DAYS) {
            counters.zeroDates++;
            appender.appendNull();
          } else {
            appender.appendEpochDays((int) days);
          }
        }
        case EPOCH_MICROS -> {
          long micros = integer(row, start, length, i);
          if (micros == DuckDbColumn.ZERO_MICROS) {
            counters.zeroDates++;
            appender.appendNull();
          } else {
            appender.appendEpochMicros(micros);
          }
        }
        case FLOAT -> appender.append(Float.intBitsToFloat((int) LE_INT.get(row, start)));
        case DOUBLE -> appender.append(Double.longBitsToDouble((long) LE_LONG.get(row, start)));
        case BYTES -> appender.append(row, start, length);
        case BIT_BOOLEAN -> appender.append(bits(row, start, length) != 0);
        case BIT_LONG -> appender.append(bits(row, start, length));
      }
    }
  }

  /** The integer of {@code width} little-endian bytes, sign- or zero-extended as the column is. */
  private long integer(byte[] row, int start, int width, int column) {
    boolean zeroExtend = unsigned[column];
    return switch (width) {
      case 1 -> zeroExtend ? row[start] & 0xFFL : row[start];
      case 2 -> {
        short value = (short) LE_SHORT.get(row, start);
        yield zeroExtend ? value & 0xFFFFL : value;
      }
      case 4 -> {
        int value = (int) LE_INT.get(row, start);
        yield zeroExtend ? value & 0xFFFF_FFFFL : value;
      }
      default -> (long) LE_LONG.get(row, start);
    };
  }

  private static long bits(byte[] row, int start, int length) {
    long value = 0;
    for (int i = 0; i < length; i++) {
      value = (value << 8) | (row[start + i] & 0xFF);
    }
    return value;
  }

  /** Bytes of a fixed-width wire type, or -1 when the value carries its length. */
  private static int fixedWidth(int wireType) {
    return switch (wireType) {
      case Wire.TINY -> 1;
      case Wire.SHORT, Wire.YEAR -> 2;
      case Wire.LONG, Wire.INT24, Wire.FLOAT -> 4;
      case Wire.LONGLONG, Wire.DOUBLE -> 8;
      case Wire.NULL -> 0;
      default -> -1;
    };
  }

  private static boolean isTemporal(int wireType) {
    return wireType == Wire.TIMESTAMP
        || wireType == Wire.DATE
        || wireType == Wire.TIME
        || wireType == Wire.DATETIME
        || wireType == Wire.NEWDATE;
  }
}
