package dev.dray.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Quiet by default (warnings only); {@code --verbose} turns on debug output for dray. */
final class Logging {
  private static volatile boolean verbose;

  private Logging() {}

  static void configure() {
    verbose = false;
    root().setLevel(Level.WARN);
    dray().setLevel(Level.WARN);
  }

  static void setVerbose(boolean on) {
    verbose = on;
    if (on) {
      dray().setLevel(Level.DEBUG);
      root().setLevel(Level.INFO);
    }
  }

  static boolean isVerbose() {
    return verbose;
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static Logger dray() {
    return (Logger) LoggerFactory.getLogger("dev.dray");
  }
}
