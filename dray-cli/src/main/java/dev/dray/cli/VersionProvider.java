package dev.dray.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version the build wrote into {@code version.properties} (the Maven project version), so a run
 * from the jar, from the classes or from an IDE prints the same.
 */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {
      "dray " + version() + (commit() == null ? "" : " (git commit " + commit() + ")"),
      "Java "
          + System.getProperty("java.version")
          + " on "
          + System.getProperty("os.name")
          + " "
          + System.getProperty("os.arch")
    };
  }

  /**
   * The git commit the build was made from ({@code git-commit.txt}, written by the build in a
   * checkout), or null when built from a source tarball without {@code .git}.
   */
  static String commit() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("git-commit.txt")) {
      if (in == null) {
        return null;
      }
      String commit =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
      return commit.matches("[0-9a-f]{7,40}") ? commit : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The project version, e.g. {@code 0.1.0-SNAPSHOT}; reports carry it too. */
  static String version() {
    Properties properties = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // fall through to the manifest
    }
    String version = properties.getProperty("version");
    if (version == null || version.startsWith("${")) {
      version = VersionProvider.class.getPackage().getImplementationVersion();
    }
    return version == null ? "unknown" : version;
  }
}
