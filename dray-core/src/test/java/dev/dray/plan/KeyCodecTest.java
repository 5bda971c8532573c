package dev.dray.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dray.DrayException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyCodecTest {
  @Test
  void keysRoundTripWithTheirJavaTypes() {
    List<Object> key =
        Arrays.asList(
            42L,
            7,
            (short) 3,
            (byte) -1,
            new BigInteger("18446744073709551615"),
            new BigDecimal("12.3400"),
            1.5d,
            2.5f,
            true,
            "ü😀`\"",
            new byte[] {0, -1, 127},
            LocalDate.of(2026, 3, 29),
            LocalDateTime.of(2026, 3, 29, 2, 30, 0, 123_456_000),
            LocalTime.of(23, 59, 59),
            null);
    List<Object> back = KeyCodec.decodeKey(KeyCodec.encodeKey(key));
    assertThat(back).hasSameSizeAs(key);
    for (int i = 0; i < key.size(); i++) {
      if (key.get(i) instanceof byte[] bytes) {
        assertThat((byte[]) back.get(i)).containsExactly(bytes);
      } else {
        assertThat(back.get(i)).isEqualTo(key.get(i));
      }
    }
    assertThat(((BigDecimal) back.get(5)).scale()).isEqualTo(4);
  }

  @Test
  void rangesRoundTripIncludingUnboundedSides() {
    KeyRange range = new KeyRange(null, List.of(10L, "b"));
    KeyRange back = KeyCodec.decodeRange(KeyCodec.encodeRange(range));
    assertThat(back.lower()).isNull();
    assertThat(back.upper()).containsExactly(10L, "b");
    assertThat(KeyCodec.decodeRange(KeyCodec.encodeRange(KeyRange.ALL)).isAll()).isTrue();
    assertThat(KeyCodec.encodeKey(null)).isNull();
  }

  @Test
  void garbageIsAClearError() {
    assertThatThrownBy(() -> KeyCodec.decodeRange("{not json"))
        .isInstanceOf(DrayException.class)
        .hasMessageContaining("stored key bound cannot be read");
  }
}
