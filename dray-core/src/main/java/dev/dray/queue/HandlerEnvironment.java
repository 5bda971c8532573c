package dev.dray.queue;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment an {@code exec:} handler runs with: an allow-list of harmless variables of the
 * worker's environment (search path, home, user, locale, time zone, temporary directory), the
 * variables the user passes on by name, and the job's own {@code DRAY_JOB_ID}, {@code
 * DRAY_JOB_ATTEMPT} and {@code DRAY_QUEUE}. Everything else stays out, in particular the variable
 * that holds the database password ({@code --password-env}), {@code MYSQL_PWD} and any other {@code
 * DRAY_} variable: a handler is code that handles a payload, not a database client of the queue.
 */
public final class HandlerEnvironment {
  /** Variables every handler gets when the worker has them. */
  static final Set<String> ALLOWED =
      Set.of(
          "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TERM");

  private HandlerEnvironment() {}

  /**
   * The allow-listed variables of {@code environment} ({@code LC_*} included) plus those named in
   * {@code passOn}; a name in {@code passOn} that holds a credential ({@code forbidden}, {@code
   * MYSQL_PWD}) is refused.
   */
  public static Map<String, String> of(
      Map<String, String> environment, Collection<String> passOn, Collection<String> forbidden) {
    requireNonNull(environment, "environment is null");
    Map<String, String> result = new TreeMap<>();
    environment.forEach(
        (name, value) -> {
          if (ALLOWED.contains(name) || name.startsWith("LC_")) {
            result.put(name, value);
          }
        });
    for (String name : passOn) {
      if (forbidden.contains(name) || isCredential(name)) {
        throw DrayException.usage(
            "--handler-env "
                + name
                + " would hand a database password to every handler; handlers never get it"
                + " (pass the handler its own credentials under another name)");
      }
      String value = environment.get(name);
      if (value != null) {
        result.put(name, value);
      }
    }
    return Map.copyOf(result);
  }

  /** The allow-listed variables of this process's environment. */
  public static Map<String, String> defaults() {
    return of(System.getenv(), Set.of(), Set.of());
  }

  private static boolean isCredential(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return upper.equals("MYSQL_PWD") || upper.startsWith("DRAY_");
  }
}
