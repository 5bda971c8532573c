package dev.dray.load;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import dev.dray.db.TableName;
import java.nio.file.Path;

/**
 * Runs one load in a process of its own for {@link LoadFailureTest}'s full-disk test and prints
 * {@code FAILED <message>} or {@code LOADED}: DuckDB itself may crash the JVM (SIGBUS) when a tmpfs
 * fills up, and that must not take the test JVM with it. Arguments: URL, DB.TABLE, FILE.
 */
public final class DiskFullLoadMain {
  private DiskFullLoadMain() {}

  public static void main(String[] args) {
    try {
      LoadJob.builder()
          .source(ConnectionConfig.of(args[0]))
          .table(TableName.parse(args[1]))
          .target(Path.of(args[2]))
          .build()
          .run();
      System.out.println("LOADED");
    } catch (DrayException e) {
      System.out.println("FAILED " + String.valueOf(e.getMessage()).replace('\n', ' '));
    }
    System.out.flush();
  }
}
