package dev.dray.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest (set by the build). */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = DrayCli.class.getPackage().getImplementationVersion();
    return new String[] {
      "dray " + (version == null ? "development build" : version),
      "Java "
          + System.getProperty("java.version")
          + " on "
          + System.getProperty("os.name")
          + " "
          + System.getProperty("os.arch")
    };
  }
}
