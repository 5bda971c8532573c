package dev.dray.db;

/**
 * The binary log settings a change stream depends on, as the server reports them.
 *
 * @param logBin whether the binary log is on ({@code log_bin})
 * @param format {@code binlog_format} (ROW, MIXED, STATEMENT), upper case
 * @param rowImage {@code binlog_row_image} (FULL, MINIMAL, NOBLOB), upper case
 */
public record BinlogSettings(boolean logBin, String format, String rowImage) {
  /**
   * What keeps a change stream from reading full row images, as one line naming the setting and the
   * fix, or null when nothing does.
   */
  public String problem() {
    if (!logBin) {
      return "the binary log is off (log_bin=OFF): start the server with --log-bin"
          + " --binlog-format=ROW --binlog-row-image=FULL";
    }
    if (!"ROW".equalsIgnoreCase(format)) {
      return "binlog_format is "
          + format
          + ", not ROW: SET GLOBAL binlog_format = 'ROW' (and in the server's configuration)";
    }
    if (!"FULL".equalsIgnoreCase(rowImage)) {
      return "binlog_row_image is "
          + rowImage
          + ", not FULL: SET GLOBAL binlog_row_image = 'FULL' (and in the server's configuration)";
    }
    return null;
  }
}
