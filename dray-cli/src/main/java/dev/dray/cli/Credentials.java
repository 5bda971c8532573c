package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.db.ConnectionConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * A user and a password source as given on the command line under one option prefix ({@code --},
 * {@code --target-} or {@code --replica-}). Holds the variable name or file, never the password.
 *
 * @param prefix the options' prefix, for messages: {@code "--"}, {@code "--target-"}, ...
 * @param user the user, or null for the URL's, else root
 * @param passwordEnv the environment variable holding the password, or null
 * @param passwordFile the file whose first line is the password, or null
 * @param defaultsFile a MySQL option file whose [client] user/password apply, or null for {@code
 *     ~/.my.cnf} when it exists
 */
record Credentials(
    String prefix, String user, String passwordEnv, Path passwordFile, Path defaultsFile) {
  Credentials(String prefix, String user, String passwordEnv, Path passwordFile) {
    this(prefix, user, passwordEnv, passwordFile, null);
  }

  /** Whether any of the three options was given. */
  boolean given() {
    return user != null || passwordEnv != null || passwordFile != null;
  }

  /** The option names, for messages: {@code --target-user, --target-password-env, ...}. */
  String optionNames() {
    return prefix + "user, " + prefix + "password-env and " + prefix + "password-file";
  }

  /** The connection settings for a URL; reads the password from the variable or the file. */
  ConnectionConfig forUrl(String url, Map<String, String> environment) {
    if (passwordEnv != null && passwordFile != null) {
      throw DrayException.usage(
          "give either " + prefix + "password-env or " + prefix + "password-file, not both");
    }
    String password = null;
    if (passwordEnv != null) {
      password = ConnectionConfig.passwordFromEnv(passwordEnv, environment);
    } else if (passwordFile != null) {
      password = ConnectionConfig.passwordFromFile(passwordFile);
    }
    String urlUser = ConnectionConfig.urlParameter(url, "user").orElse(null);
    boolean urlPassword = ConnectionConfig.urlParameter(url, "password").isPresent();
    Map<String, String> optionFile = optionFile(environment);
    if (password == null && !urlPassword) {
      // the mysql client's order: the environment's MYSQL_PWD, then the option file
      password = environment.get("MYSQL_PWD");
      if (password == null) {
        password = optionFile.get("password");
      }
    }
    if (user != null && urlUser != null && !user.equals(urlUser)) {
      throw DrayException.usage(
          prefix
              + "user "
              + user
              + " and the URL's user="
              + urlUser
              + " differ: give the user once, as "
              + prefix
              + "user or in the URL");
    }
    String effectiveUser = user;
    if (effectiveUser == null && urlUser == null) {
      effectiveUser = optionFile.getOrDefault("user", "root");
    }
    return new ConnectionConfig(url, effectiveUser, password);
  }

  /** The [client] group of --defaults-file, else of ~/.my.cnf when it exists, else nothing. */
  private Map<String, String> optionFile(Map<String, String> environment) {
    if (defaultsFile != null) {
      return MySqlOptionFile.client(defaultsFile);
    }
    String home = environment.getOrDefault("HOME", System.getProperty("user.home"));
    Path myCnf = home == null ? null : Path.of(home, ".my.cnf");
    return myCnf != null && java.nio.file.Files.isRegularFile(myCnf)
        ? MySqlOptionFile.client(myCnf)
        : Map.of();
  }

  /**
   * The connection settings for another server: these credentials when any was given, else the
   * fallback's (for example the source's).
   */
  ConnectionConfig forUrlOr(Credentials fallback, String url, Map<String, String> environment) {
    return (given() ? this : fallback).forUrl(url, environment);
  }
}
