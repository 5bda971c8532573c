package dev.dray.cli;

import dev.dray.DrayException;
import dev.dray.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code [client]} group of a MySQL option file ({@code ~/.my.cnf}, {@code --defaults-file}):
 * the user and password the mysql client would use. Other groups and keys are ignored.
 */
final class MySqlOptionFile {
  private MySqlOptionFile() {}

  /** The {@code [client]} keys of {@code file}, lower case, quotes removed. */
  static Map<String, String> client(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw DrayException.usage("cannot read option file " + file + ": " + e.getMessage());
    }
    Map<String, String> values = new HashMap<>();
    boolean inClient = false;
    for (String raw : text.split("\\R")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        inClient = line.equalsIgnoreCase("[client]");
        continue;
      }
      int equals = line.indexOf('=');
      if (!inClient || equals < 0) {
        continue;
      }
      String key = line.substring(0, equals).strip().toLowerCase(Locale.ROOT).replace('-', '_');
      String value = line.substring(equals + 1).strip();
      if (value.length() >= 2
          && (value.startsWith("\"") && value.endsWith("\"")
              || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      }
      values.put(key, value);
    }
    Secrets.register(values.get("password"));
    return values;
  }
}
