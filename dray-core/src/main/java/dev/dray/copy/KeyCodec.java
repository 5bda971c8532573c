package dev.dray.copy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dray.DrayException;
import dev.dray.ErrorCode;
import dev.dray.plan.KeyRange;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Stores key ranges in the checkpoint table as JSON that round-trips exactly: each key value is a
 * {@code {"type": ..., "value": ...}} pair, so a BIGINT stays a long, a DECIMAL keeps its scale and
 * a VARBINARY key keeps its bytes (base64).
 */
final class KeyCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeyCodec() {}

  static String encode(KeyRange range) {
    ObjectNode node = JSON.createObjectNode();
    node.set("lower", encodeKey(range.lower()));
    node.set("upper", encodeKey(range.upper()));
    return node.toString();
  }

  static KeyRange decode(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      return new KeyRange(decodeKey(node.get("lower")), decodeKey(node.get("upper")));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new DrayException(
          ErrorCode.INTERNAL, "the checkpoint's key range cannot be read: " + json, e);
    }
  }

  private static JsonNode encodeKey(List<Object> key) {
    if (key == null) {
      return JSON.nullNode();
    }
    ArrayNode array = JSON.createArrayNode();
    for (Object value : key) {
      ObjectNode item = array.addObject();
      item.put("type", typeOf(value));
      if (value == null) {
        item.putNull("value");
      } else if (value instanceof byte[] bytes) {
        item.put("value", Base64.getEncoder().encodeToString(bytes));
      } else {
        item.put("value", value.toString());
      }
    }
    return array;
  }

  private static String typeOf(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof byte[]) {
      return "bytes";
    }
    return switch (value.getClass().getSimpleName()) {
      case "Integer",
          "Long",
          "Short",
          "Byte",
          "BigInteger",
          "BigDecimal",
          "Double",
          "Float",
          "String",
          "Boolean",
          "Timestamp",
          "Date",
          "Time",
          "LocalDateTime",
          "LocalDate",
          "LocalTime" ->
          value.getClass().getSimpleName();
      default -> "String";
    };
  }

  private static List<Object> decodeKey(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    List<Object> key = new ArrayList<>();
    for (JsonNode item : node) {
      String type = item.get("type").asText();
      JsonNode valueNode = item.get("value");
      String value = valueNode == null || valueNode.isNull() ? null : valueNode.asText();
      key.add(value == null ? null : decodeValue(type, value));
    }
    return key;
  }

  private static Object decodeValue(String type, String value) {
    return switch (type) {
      case "Integer" -> Integer.valueOf(value);
      case "Long" -> Long.valueOf(value);
      case "Short" -> Short.valueOf(value);
      case "Byte" -> Byte.valueOf(value);
      case "BigInteger" -> new BigInteger(value);
      case "BigDecimal" -> new BigDecimal(value);
      case "Double" -> Double.valueOf(value);
      case "Float" -> Float.valueOf(value);
      case "Boolean" -> Boolean.valueOf(value);
      case "Timestamp" -> Timestamp.valueOf(value);
      case "Date" -> Date.valueOf(value);
      case "Time" -> Time.valueOf(value);
      case "LocalDateTime" -> LocalDateTime.parse(value);
      case "LocalDate" -> LocalDate.parse(value);
      case "LocalTime" -> LocalTime.parse(value);
      case "bytes" -> Base64.getDecoder().decode(value);
      default -> value;
    };
  }
}
