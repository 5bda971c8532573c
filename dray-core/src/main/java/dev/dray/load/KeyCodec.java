package dev.dray.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Writes key-range bounds as text and reads them back as values of the same Java type, so a resumed
 * load binds exactly the boundaries the first run planned: {@code [["long","42"],["str","a"]]}.
 */
final class KeyCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeyCodec() {}

  static String encode(List<Object> values) {
    if (values == null) {
      return null;
    }
    ArrayNode array = JSON.createArrayNode();
    for (Object value : values) {
      ArrayNode pair = array.addArray();
      pair.add(tag(value));
      pair.add(text(value));
    }
    return array.toString();
  }

  static List<Object> decode(String text) {
    if (text == null) {
      return null;
    }
    try {
      List<Object> values = new ArrayList<>();
      for (JsonNode pair : JSON.readTree(text)) {
        values.add(value(pair.get(0).asText(), pair.get(1).isNull() ? null : pair.get(1).asText()));
      }
      return values;
    } catch (JsonProcessingException | RuntimeException e) {
      throw new DrayException(
          ErrorCode.TARGET_UNAVAILABLE, "cannot read a stored task boundary " + text, e);
    }
  }

  private static String tag(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Long) {
      return "long";
    } else if (value instanceof Integer) {
      return "int";
    } else if (value instanceof Short) {
      return "short";
    } else if (value instanceof Byte) {
      return "byte";
    } else if (value instanceof BigInteger) {
      return "bigint";
    } else if (value instanceof BigDecimal) {
      return "decimal";
    } else if (value instanceof Double) {
      return "double";
    } else if (value instanceof Float) {
      return "float";
    } else if (value instanceof Boolean) {
      return "bool";
    } else if (value instanceof String) {
      return "str";
    } else if (value instanceof byte[]) {
      return "bytes";
    } else if (value instanceof LocalDate || value instanceof java.sql.Date) {
      return "date";
    } else if (value instanceof LocalDateTime || value instanceof java.sql.Timestamp) {
      return "datetime";
    } else if (value instanceof LocalTime) {
      return "time";
    }
    throw new DrayException(
        ErrorCode.UNSUPPORTED_SCHEMA,
        "cannot store a key value of type " + value.getClass().getName());
  }

  private static String text(Object value) {
    if (value == null) {
      return null;
    } else if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    } else if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    } else if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toLocalDateTime().toString();
    } else if (value instanceof java.sql.Date date) {
      return date.toLocalDate().toString();
    }
    return value.toString();
  }

  private static Object value(String tag, String text) {
    return switch (tag) {
      case "null" -> null;
      case "long" -> Long.valueOf(text);
      case "int" -> Integer.valueOf(text);
      case "short" -> Short.valueOf(text);
      case "byte" -> Byte.valueOf(text);
      case "bigint" -> new BigInteger(text);
      case "decimal" -> new BigDecimal(text);
      case "double" -> Double.valueOf(text);
      case "float" -> Float.valueOf(text);
      case "bool" -> Boolean.valueOf(text);
      case "str" -> text;
      case "bytes" -> Base64.getDecoder().decode(text);
      case "date" -> LocalDate.parse(text);
      case "datetime" -> LocalDateTime.parse(text);
      case "time" -> LocalTime.parse(text);
      default -> throw new IllegalArgumentException("unknown key value type " + tag);
    };
  }
}
