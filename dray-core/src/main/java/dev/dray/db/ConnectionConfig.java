package dev.dray.db;

import static java.util.Objects.requireNonNull;

import dev.dray.DrayException;
import dev.dray.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to connect: a JDBC URL, a user and a password. The password never shows in {@link
 * #toString()}, logs or messages: it is registered with {@link Secrets} on construction.
 *
 * <p>A user or password given both here and in the URL ({@code ?user=...}, {@code ?password=...})
 * must agree: the driver would silently take one of them, and messages would name the other.
 *
 * @param url a JDBC URL such as {@code jdbc:mariadb://127.0.0.1:3306/db}
 * @param user the user name, or null to take it from the URL
 * @param password the password, or null to take it from the URL (or none)
 */
public record ConnectionConfig(String url, String user, String password) {
  public ConnectionConfig {
    requireNonNull(url, "url is null");
    if (!url.startsWith("jdbc:")) {
      throw DrayException.usage("not a JDBC URL: " + Secrets.redact(url));
    }
    Secrets.register(password);
    Secrets.register(urlPassword(url).orElse(null));
    String urlUser = urlParameter(url, "user").orElse(null);
    if (user != null && urlUser != null && !user.equals(urlUser)) {
      throw DrayException.usage(
          "two users given: "
              + user
              + " and the URL's user="
              + urlUser
              + "; give the user once (in the URL or as the user option)");
    }
    if (password != null && urlPassword(url).filter(p -> !p.equals(password)).isPresent()) {
      throw DrayException.usage(
          "two passwords given: one in the URL and another one; give the password once");
    }
  }

  /** The value of a URL parameter such as {@code user} ({@code ?user=x} or {@code &user=x}). */
  public static Optional<String> urlParameter(String url, String name) {
    var matcher =
        java.util.regex.Pattern.compile(
                "[?&;]" + java.util.regex.Pattern.quote(name) + "=([^&;]*)",
                java.util.regex.Pattern.CASE_INSENSITIVE)
            .matcher(url);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  /** The user the server will see: this config's, else the URL's, else null (the driver's). */
  public String effectiveUser() {
    return user != null ? user : urlParameter(url, "user").orElse(null);
  }

  public static ConnectionConfig of(String url) {
    return new ConnectionConfig(url, null, null);
  }

  public ConnectionConfig withUser(String newUser) {
    return new ConnectionConfig(url, newUser, password);
  }

  public ConnectionConfig withPassword(String newPassword) {
    return new ConnectionConfig(url, user, newPassword);
  }

  /** The same server and credentials with another URL (for example another database). */
  public ConnectionConfig withUrl(String newUrl) {
    return new ConnectionConfig(newUrl, user, password);
  }

  /** Reads a password from the named environment variable; a missing variable is a usage error. */
  public static String passwordFromEnv(String variable, Map<String, String> environment) {
    String value = environment.get(variable);
    if (value == null) {
      throw DrayException.usage("environment variable " + variable + " is not set");
    }
    Secrets.register(value);
    return value;
  }

  /** Reads a password from a file (first line, trailing newline removed). */
  public static String passwordFromFile(Path file) {
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      int newline = content.indexOf('\n');
      String value = newline >= 0 ? content.substring(0, newline) : content;
      value = value.endsWith("\r") ? value.substring(0, value.length() - 1) : value;
      Secrets.register(value);
      return value;
    } catch (IOException e) {
      throw DrayException.usage("cannot read password file " + file + ": " + e.getMessage());
    }
  }

  /** The URL with any password in it masked: safe to print. */
  public String safeUrl() {
    return Secrets.redact(url);
  }

  @Override
  public String toString() {
    return "ConnectionConfig[url="
        + safeUrl()
        + ", user="
        + user
        + ", password="
        + (password == null ? "none" : Secrets.MASK)
        + "]";
  }

  private static Optional<String> urlPassword(String url) {
    var matcher =
        java.util.regex.Pattern.compile("(?i)[?&;](?:password|pwd)=([^&;]*)").matcher(url);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }
}
