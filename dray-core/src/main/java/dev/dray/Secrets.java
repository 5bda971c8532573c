package dev.dray;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Keeps passwords out of everything dray prints. Every password dray is given is registered here,
 * and {@link #redact} replaces it (and any {@code password=...} URL parameter) with {@code ****}.
 * Messages of exceptions, log lines and reports go through it.
 */
public final class Secrets {
  public static final String MASK = "****";
  private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password|pwd)=([^&;\\s)]*)");
  private static final Pattern USER_INFO = Pattern.compile("(//[^/:@\\s]+):([^@/\\s]+)@");

  private Secrets() {}

  /** Remembers a secret so that it is masked wherever it would appear in output. */
  public static void register(String secret) {
    if (secret != null && !secret.isEmpty()) {
      KNOWN.add(secret);
    }
  }

  /** Returns the text with every known secret and every URL password replaced by the mask. */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String result = URL_PASSWORD.matcher(text).replaceAll("$1=" + MASK);
    result = USER_INFO.matcher(result).replaceAll("$1:" + MASK + "@");
    for (String secret : KNOWN) {
      if (secret.length() >= 1) {
        result = result.replace(secret, MASK);
      }
    }
    return result;
  }
}
