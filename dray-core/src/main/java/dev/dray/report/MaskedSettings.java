package dev.dray.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.dray.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a settings or result object into plain maps for a report, with every password masked: a
 * value under a key named like a password becomes {@code ****}, and every string goes through
 * {@link Secrets#redact} (URLs with passwords, registered secrets).
 */
final class MaskedSettings {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .registerModule(
              new SimpleModule()
                  .addSerializer(Duration.class, ToStringSerializer.instance)
                  .addSerializer(Path.class, ToStringSerializer.instance));

  private MaskedSettings() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> of(Object settings) {
    if (settings == null) {
      return Map.of();
    }
    Object plain = JSON.convertValue(settings, Object.class);
    Object masked = mask(plain);
    if (masked instanceof Map<?, ?> map) {
      return (Map<String, Object>) map;
    }
    Map<String, Object> wrapped = new LinkedHashMap<>();
    wrapped.put("value", masked);
    return wrapped;
  }

  private static Object mask(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> result = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        boolean secret =
            key.toLowerCase(java.util.Locale.ROOT).matches(".*(password|pwd|secret).*");
        result.put(key, secret && entry.getValue() != null ? Secrets.MASK : mask(entry.getValue()));
      }
      return result;
    }
    if (value instanceof List<?> list) {
      List<Object> result = new ArrayList<>(list.size());
      for (Object item : list) {
        result.add(mask(item));
      }
      return result;
    }
    if (value instanceof String text) {
      return Secrets.redact(text);
    }
    return value;
  }
}
