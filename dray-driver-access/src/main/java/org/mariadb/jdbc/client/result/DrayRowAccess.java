package org.mariadb.jdbc.client.result;

import java.sql.ResultSet;
import org.mariadb.jdbc.client.ColumnDecoder;
import org.mariadb.jdbc.client.result.rowdecoder.BinaryRowDecoder;

/**
 * dray's window on the rows of MariaDB Connector/J: the current row of a binary-protocol result as
 * the bytes the server sent, so that {@code dev.dray.load.BinaryRowCopier} can decode each cell
 * straight into DuckDB's vectors instead of going through one JDBC getter (index check, position
 * walk, codec dispatch, {@code wasNull}, often a new object) per cell.
 *
 * <p>It lives in the driver's package because {@link Result} keeps the row in protected fields.
 * Written against Connector/J 3.5; should a later driver change those fields, {@link
 * #binaryColumnTypes} returns null and dray decodes through the JDBC getters as before.
 */
public final class DrayRowAccess {
  private DrayRowAccess() {}

  /**
   * The wire type code of each column (MySQL's {@code MYSQL_TYPE_*}) when {@code rs} is a result of
   * this driver holding binary-protocol rows, or null when it is not (or the driver's classes are
   * not what this class was written against).
   */
  public static int[] binaryColumnTypes(ResultSet rs) {
    try {
      if (!(rs instanceof Result result) || !(result.rowDecoder instanceof BinaryRowDecoder)) {
        return null;
      }
      ColumnDecoder[] columns = result.metadataList;
      int[] types = new int[columns.length];
      for (int i = 0; i < columns.length; i++) {
        types[i] = columns[i].getType().get();
      }
      return types;
    } catch (LinkageError | RuntimeException otherDriverVersion) {
      return null;
    }
  }

  /** Whether each column is unsigned (same preconditions as {@link #binaryColumnTypes}). */
  public static boolean[] unsignedColumns(ResultSet rs) {
    ColumnDecoder[] columns = ((Result) rs).metadataList;
    boolean[] unsigned = new boolean[columns.length];
    for (int i = 0; i < columns.length; i++) {
      unsigned[i] = !columns[i].isSigned();
    }
    return unsigned;
  }

  /**
   * The packet of the row {@code rs} is on: a 0x00 header, the NULL bitmap (bit {@code i + 2} for
   * column {@code i}), then each non-NULL value in its binary encoding. Valid until the next call
   * of {@code next()}; never modified by the caller.
   */
  public static byte[] currentRow(ResultSet rs) {
    return ((Result) rs).rowBuf.buf;
  }
}
