package org.duckdb;

import java.nio.ByteBuffer;
import java.sql.SQLException;

/**
 * dray's window onto DuckDB's C appender API, which the JDBC driver binds but keeps
 * package-private.
 *
 * <p>Why it exists: the driver's {@link DuckDBAppender} (1.4.1 to 2.0.0.1) forces {@code
 * duckdb_appender_flush} after every 2,048-row chunk, and each such flush is a full append into the
 * table. Measured on workload W1 into a DuckDB file this made the appender four times slower than
 * handing DuckDB the same chunks and flushing once: DuckDB's own appender gathers 100 chunks before
 * it writes. dray fills the chunks itself ({@code dev.dray.driveraccess.ChunkAppender}) and uses
 * these pass-throughs only. dray-core uses this only when the running driver is the version the
 * module was built against (pinned in the parent POM); otherwise it uses the public appender.
 */
public final class DrayAppenderBridge {
  private DrayAppenderBridge() {}

  /** Creates a C appender on the connection; returns its handle. */
  public static ByteBuffer createAppender(DuckDBConnection connection, String schema, String table)
      throws SQLException {
    ByteBuffer[] out = new ByteBuffer[1];
    connection.connRefLock.lock();
    try {
      int state =
          DuckDBBindings.duckdb_appender_create_ext(
              connection.connRef,
              null,
              schema.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              table.getBytes(java.nio.charset.StandardCharsets.UTF_8),
              out);
      if (state != 0 || out[0] == null) {
        String error = out[0] == null ? "no appender" : errorOf(out[0]);
        if (out[0] != null) {
          DuckDBBindings.duckdb_appender_destroy(out[0]);
        }
        throw new SQLException("cannot append to " + schema + "." + table + ": " + error);
      }
      return out[0];
    } finally {
      connection.connRefLock.unlock();
    }
  }

  public static int columnCount(ByteBuffer appender) {
    return (int) DuckDBBindings.duckdb_appender_column_count(appender);
  }

  public static ByteBuffer columnType(ByteBuffer appender, int column) {
    return DuckDBBindings.duckdb_appender_column_type(appender, column);
  }

  public static void destroyLogicalType(ByteBuffer type) {
    DuckDBBindings.duckdb_destroy_logical_type(type);
  }

  public static int vectorSize() {
    return (int) DuckDBBindings.duckdb_vector_size();
  }

  public static ByteBuffer createDataChunk(ByteBuffer[] types) {
    return DuckDBBindings.duckdb_create_data_chunk(types);
  }

  public static void destroyDataChunk(ByteBuffer chunk) {
    DuckDBBindings.duckdb_destroy_data_chunk(chunk);
  }

  public static void resetDataChunk(ByteBuffer chunk) {
    DuckDBBindings.duckdb_data_chunk_reset(chunk);
  }

  public static void setDataChunkSize(ByteBuffer chunk, long size) {
    DuckDBBindings.duckdb_data_chunk_set_size(chunk, size);
  }

  public static ByteBuffer vector(ByteBuffer chunk, int column) {
    return DuckDBBindings.duckdb_data_chunk_get_vector(chunk, column);
  }

  public static ByteBuffer vectorData(ByteBuffer vector, long bytes) {
    return DuckDBBindings.duckdb_vector_get_data(vector, bytes);
  }

  public static ByteBuffer writableValidity(ByteBuffer vector, long rows) {
    DuckDBBindings.duckdb_vector_ensure_validity_writable(vector);
    return DuckDBBindings.duckdb_vector_get_validity(vector, rows);
  }

  public static void assignString(ByteBuffer vector, long row, byte[] bytes) {
    DuckDBBindings.duckdb_vector_assign_string_element_len(vector, row, bytes);
  }

  /** Hands a full chunk to the appender, which gathers chunks and writes them in large batches. */
  public static void appendChunk(ByteBuffer appender, ByteBuffer chunk) throws SQLException {
    if (DuckDBBindings.duckdb_append_data_chunk(appender, chunk) != 0) {
      throw new SQLException("appending to DuckDB failed: " + errorOf(appender));
    }
  }

  public static void flush(ByteBuffer appender) throws SQLException {
    if (DuckDBBindings.duckdb_appender_flush(appender) != 0) {
      throw new SQLException("appending to DuckDB failed: " + errorOf(appender));
    }
  }

  /** Closes (flushing what is left) and frees the appender. */
  public static void close(ByteBuffer appender) throws SQLException {
    try {
      if (DuckDBBindings.duckdb_appender_close(appender) != 0) {
        throw new SQLException("appending to DuckDB failed: " + errorOf(appender));
      }
    } finally {
      DuckDBBindings.duckdb_appender_destroy(appender);
    }
  }

  /** Frees the appender without writing what it still holds (after a failure). */
  public static void destroy(ByteBuffer appender) {
    DuckDBBindings.duckdb_appender_destroy(appender);
  }

  private static String errorOf(ByteBuffer appender) {
    byte[] message = DuckDBBindings.duckdb_appender_error(appender);
    return message == null
        ? "(no message)"
        : new String(message, java.nio.charset.StandardCharsets.UTF_8);
  }
}
