package dev.dray.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Quiet by default (warnings only); {@code --verbose} turns on debug output for dray. */
final class Logging {
  private static volatile boolean verbose;

  private Logging() {}

  /** Warnings read like every other line dray prints: {@code dray: warning: ...}. */
  static final String PATTERN =
      "dray: %replace(%replace(%replace(%replace(%level){'WARN','warning'}){'ERROR','error'})"
          + "{'INFO','info'}){'DEBUG','debug'}: %safeMsg%n";

  static void configure() {
    verbose = false;
    useDrayLines();
    root().setLevel(Level.WARN);
    dray().setLevel(Level.WARN);
    // the driver logs each failed connection as a warning; dray's own error line says it better
    ((Logger) LoggerFactory.getLogger("org.mariadb")).setLevel(Level.ERROR);
  }

  /**
   * Sets the one stderr appender in code, so the format holds whatever logback configuration is on
   * the class path (an application's, a test's).
   */
  private static synchronized void useDrayLines() {
    Logger root = root();
    if (root.getAppender("dray-stderr") != null) {
      return;
    }
    ch.qos.logback.classic.LoggerContext context = root.getLoggerContext();
    @SuppressWarnings("unchecked")
    java.util.Map<String, String> rules =
        (java.util.Map<String, String>)
            context.getObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY);
    if (rules == null) {
      rules = new java.util.HashMap<>();
      context.putObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY, rules);
    }
    rules.put("safeMsg", RedactingMessageConverter.class.getName());
    ch.qos.logback.classic.encoder.PatternLayoutEncoder encoder =
        new ch.qos.logback.classic.encoder.PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ch.qos.logback.core.ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("dray-stderr");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
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
