package dev.dray;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Keeps passwords out of everything dray prints. {@link #redact} masks a password where it is used:
 * the value of a {@code password=}/{@code pwd=} URL parameter, the password of a {@code
 * //user:password@host} URL, and a registered password standing as a word of its own (between
 * spaces or quotes). It does not mask the password's text inside other words: with the password
 * {@code bad}, the schema {@code ux_bad} stays {@code ux_bad}, for masking it would both garble the
 * message and reveal the password. Messages of exceptions, log lines and reports go through it.
 */
public final class Secrets {
  public static final String MASK = "****";
  private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password|pwd)=([^&;\\s)]*)");
  private static final Pattern USER_INFO = Pattern.compile("(//[^/:@\\s]+):([^@/\\s]+)@");

  private Secrets() {}

  /** The secret as a word of its own: delimited by the text's ends, whitespace or quotes. */
  private static Pattern standingAlone(String secret) {
    return Pattern.compile("(?<=^|[\\s'\"`])" + Pattern.quote(secret) + "(?=$|[\\s'\"`])");
  }

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
      result = standingAlone(secret).matcher(result).replaceAll(MASK);
    }
    return result;
  }
}
