package dev.dray.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one parser of every duration option: {@code 500ms}, {@code 1.5s}, {@code 2m}, {@code 1h}. A
 * bare number is refused (is {@code --chunk-time 500} 500 ms or 500 s?), except {@code 0}, which is
 * zero in any unit.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORMAT = Pattern.compile("^(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?$");

  @Override
  public Duration convert(String value) {
    Matcher m = FORMAT.matcher(value.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration (examples: 500ms, 2s, 1m)");
    }
    double amount = Double.parseDouble(m.group(1));
    if (m.group(2) == null && amount != 0) {
      throw new TypeConversionException(
          "'"
              + value
              + "' needs a unit: "
              + m.group(1)
              + "ms, "
              + m.group(1)
              + "s, "
              + m.group(1)
              + "m or "
              + m.group(1)
              + "h");
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis =
        switch (unit) {
          case "ms" -> amount;
          case "m" -> amount * 60_000;
          case "h" -> amount * 3_600_000;
          default -> amount * 1000;
        };
    return Duration.ofMillis(Math.round(millis));
  }
}
