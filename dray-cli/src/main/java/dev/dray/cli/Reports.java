package dev.dray.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.io.IOException;
import java.nio.file.Path;

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

  static String toJson(Object result) {
    try {
      return JSON.writeValueAsString(result);
    } catch (IOException e) {
      throw new DrayException(ErrorCode.INTERNAL, "cannot render JSON: " + e.getMessage(), e);
    }
  }
}
