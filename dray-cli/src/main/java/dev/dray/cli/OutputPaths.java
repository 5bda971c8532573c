package dev.dray.cli;

import dev.dray.DrayException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any work starts (and in --dry-run), that the files a command will write can be
 * written: a report that fails after an hour's load would turn a finished job into exit 1, and a
 * verify's 0/3 verdict into a write error.
 */
final class OutputPaths {
  private OutputPaths() {}

  /**
   * Fails with a usage error when {@code file} (given as {@code option}) cannot be created or
   * replaced: its folder is missing, not a folder, or not writable, or the file is a folder or
   * read-only.
   */
  static void requireWritable(String option, Path file) {
    if (file == null) {
      return;
    }
    Path absolute = file.toAbsolutePath().normalize();
    Path folder = absolute.getParent();
    if (folder == null || !Files.exists(folder)) {
      throw DrayException.usage(
          option + " " + file + ": the folder " + folder + " does not exist; create it first");
    }
    if (!Files.isDirectory(folder)) {
      throw DrayException.usage(option + " " + file + ": " + folder + " is not a folder");
    }
    if (Files.isDirectory(absolute)) {
      throw DrayException.usage(option + " " + file + " is a folder; give a file name");
    }
    if (Files.exists(absolute) ? !Files.isWritable(absolute) : !Files.isWritable(folder)) {
      throw DrayException.usage(
          option + " " + file + " is not writable (check the permissions of " + folder + ")");
    }
  }
}
