package dev.dray.run;

import dev.dray.DrayException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A limit on a server's global status variable, as gh-ost's {@code --max-load} and {@code
 * --critical-load} take them: {@code Threads_running=25}.
 *
 * @param variable the status variable (letters, digits and underscores)
 * @param threshold the highest value that is still fine
 */
public record StatusLimit(String variable, long threshold) {
  public StatusLimit {
    if (variable == null || !variable.matches("[A-Za-z0-9_]+")) {
      throw DrayException.usage("not a status variable name: " + variable);
    }
    if (threshold < 0) {
      throw DrayException.usage(
          "a status limit must not be negative: " + variable + "=" + threshold);
    }
  }

  /**
   * Parses {@code VAR=N[,VAR=N...]}; {@code flag} names the option in the usage error a malformed
   * list gets.
   */
  public static List<StatusLimit> parse(String flag, String text) {
    List<StatusLimit> limits = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return limits;
    }
    for (String part : text.split(",")) {
      String[] pair = part.trim().split("=", -1);
      if (pair.length != 2
          || !pair[0].trim().matches("[A-Za-z0-9_]+")
          || !pair[1].trim().matches("[0-9]+")) {
        throw DrayException.usage(
            flag
                + " takes VAR=N[,VAR=N...] with a status variable and a whole number, e.g."
                + " Threads_running=25; not "
                + part.trim());
      }
      try {
        limits.add(new StatusLimit(pair[0].trim(), Long.parseLong(pair[1].trim())));
      } catch (NumberFormatException e) {
        throw DrayException.usage(flag + ": " + pair[1].trim() + " is too large");
      }
    }
    return limits;
  }

  /** The value of this limit's variable in {@code status} (matched ignoring case), or null. */
  Long valueIn(Map<String, Long> status) {
    for (Map.Entry<String, Long> entry : status.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(variable)) {
        return entry.getValue();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return variable + "=" + threshold;
  }
}
