package dev.dray.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.Secrets;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/** Writes result objects as JSON reports. Results hold no credentials, so nothing leaks here. */
final class Reports {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Reports() {}

  static void write(Path file, Object result) {
    try {
      JSON.writeValue(file.toFile(), result);
    } catch (IOException e) {
      throw new DrayException(
          ErrorCode.INTERNAL, "cannot write report " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The report of a job: which dray ran it, when, on what (URLs masked), then the result's fields.
   * Keys are camelCase, as in every report.
   */
  static ObjectNode jobReport(
      Object result, Instant startedAt, Instant finishedAt, String source, String target) {
    ObjectNode report = JSON.createObjectNode();
    report.put("drayVersion", VersionProvider.version());
    if (VersionProvider.commit() != null) {
      report.put("drayCommit", VersionProvider.commit());
    }
    report.put("startedAt", startedAt.toString());
    report.put("finishedAt", finishedAt.toString());
    report.put("source", Secrets.redact(source));
    if (target != null) {
      report.put("target", Secrets.redact(target));
    }
    report.setAll((ObjectNode) JSON.valueToTree(result));
    return report;
  }

  /** Writes {@link #jobReport} to {@code file}. */
  static void writeJob(Path file, Object result, Instant startedAt, String source, String target) {
    try {
      JSON.writeValue(file.toFile(), jobReport(result, startedAt, Instant.now(), source, target));
    } catch (IOException e) {
      throw new DrayException(
          ErrorCode.INTERNAL, "cannot write report " + file + ": " + e.getMessage(), e);
    }
  }

  static String toJson(Object result) {
    try {
      return JSON.writeValueAsString(result);
    } catch (IOException e) {
      throw new DrayException(ErrorCode.INTERNAL, "cannot render JSON: " + e.getMessage(), e);
    }
  }
}
