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
      "dray " + version(),
      "Java "
          + System.getProperty("java.version")
          + " on "
          + System.getProperty("os.name")
          + " "
          + System.getProperty("os.arch")
    };
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
