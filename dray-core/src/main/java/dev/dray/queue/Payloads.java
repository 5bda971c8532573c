package dev.dray.queue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.dray.DrayException;
import java.io.IOException;

/** Checks that payloads are JSON before they reach the database. */
public final class Payloads {
  private static final JsonFactory JSON = new JsonFactory();

  private Payloads() {}

  /**
   * Throws a usage error naming the problem if {@code payload} is not one well-formed JSON value.
   */
  public static void requireJson(String payload) {
    String problem = problem(payload);
    if (problem != null) {
      throw DrayException.usage("malformed job payload (" + problem + "): " + abbreviate(payload));
    }
  }

  /** Null if {@code payload} is one well-formed JSON value, else what is wrong with it. */
  public static String problem(String payload) {
    if (payload == null || payload.isBlank()) {
      return "empty";
    }
    try (JsonParser parser = JSON.createParser(payload)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return "empty";
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        return "trailing content after the JSON value";
      }
      return null;
    } catch (IOException e) {
      String message = e.getMessage() == null ? "not JSON" : e.getMessage();
      int newline = message.indexOf('\n');
      return newline >= 0 ? message.substring(0, newline) : message;
    }
  }

  static String abbreviate(String text) {
    if (text == null) {
      return "null";
    }
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
