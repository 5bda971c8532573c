package dev.dray.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A range of key values: from {@code lower} (inclusive) to {@code upper} (exclusive). Either bound
 * may be null for "unbounded". Bounds hold one value per key column, in key order.
 */
public record KeyRange(List<Object> lower, List<Object> upper) {
  public static final KeyRange ALL = new KeyRange(null, null);

  public KeyRange {
    lower = lower == null ? null : Collections.unmodifiableList(new ArrayList<>(lower));
    upper = upper == null ? null : Collections.unmodifiableList(new ArrayList<>(upper));
  }

  public boolean isAll() {
    return lower == null && upper == null;
  }

  @Override
  public String toString() {
    return "["
        + (lower == null ? "-inf" : render(lower))
        + " .. "
        + (upper == null ? "+inf" : render(upper))
        + ")";
  }

  private static String render(List<Object> values) {
    if (values.size() == 1) {
      return renderValue(values.get(0));
    }
    StringBuilder text = new StringBuilder("(");
    for (int i = 0; i < values.size(); i++) {
      text.append(i == 0 ? "" : ", ").append(renderValue(values.get(i)));
    }
    return text.append(')').toString();
  }

  private static String renderValue(Object value) {
    if (value instanceof byte[] bytes) {
      StringBuilder hex = new StringBuilder("0x");
      for (byte b : bytes) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    }
    return String.valueOf(value);
  }
}
