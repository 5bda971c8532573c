package dev.dray.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Writes key bounds as text and reads them back as values of the same Java type, so a resumed job
 * (a load's stored plan, a copy's checkpoint) binds exactly the boundaries the first run used: a
 * BIGINT stays a long, a DECIMAL keeps its scale, a VARBINARY key keeps its bytes. A key is {@code
 * [["long","42"],["str","a"]]}; a range is {@code {"lower": key or null, "upper": key or null}}.
 */
public final class KeyCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeyCodec() {}

  /** The key as JSON text, or null for an unbounded side. */
  public static String encodeKey(List<Object> values) {
    return values == null ? null : keyNode(values).toString();
  }

  public static List<Object> decodeKey(String text) {
    if (text == null) {
      return null;
    }
    try {
      return key(JSON.readTree(text));
    } catch (JsonProcessingException | RuntimeException e) {
      throw unreadable(text, e);
    }
  }

  public static String encodeRange(KeyRange range) {
    ObjectNode node = JSON.createObjectNode();
    node.set("lower", range.lower() == null ? JSON.nullNode() : keyNode(range.lower()));
    node.set("upper", range.upper() == null ? JSON.nullNode() : keyNode(range.upper()));
    return node.toString();
  }

  public static KeyRange decodeRange(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      return new KeyRange(key(node.get("lower")), key(node.get("upper")));
    } catch (JsonProcessingException | RuntimeException e) {
      throw unreadable(text, e);
    }
  }

  private static ArrayNode keyNode(List<Object> values) {
    ArrayNode array = JSON.createArrayNode();
    for (Object value : values) {
      ArrayNode pair = array.addArray();
      pair.add(tag(value));
      pair.add(text(value));
    }
    return array;
  }

  private static List<Object> key(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    List<Object> values = new ArrayList<>();
    for (JsonNode pair : node) {
      values.add(value(pair.get(0).asText(), pair.get(1).isNull() ? null : pair.get(1).asText()));
    }
    return values;
  }

  private static DrayException unreadable(String text, Exception e) {
    return new DrayException(ErrorCode.INTERNAL, "a stored key bound cannot be read: " + text, e);
  }

  private static String tag(Object value) {
    if (value == null) {
      return "null";
    } else if (value instanceof Long) {
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
    } else if (value instanceof LocalTime || value instanceof java.sql.Time) {
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
    } else if (value instanceof java.sql.Time time) {
      return time.toLocalTime().toString();
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
