package dev.dray.change;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Renders the binary log's temporal encodings as the text MySQL and MariaDB print for them, so the
 * exact value (fractions, zero dates, negative and long TIMEs) goes into the target unchanged. The
 * library's own decoding goes through epoch milliseconds, which loses zero dates and TIMEs beyond a
 * day. Layouts follow the server's {@code my_time_packed_from_binary}, {@code
 * my_datetime_packed_from_binary} and {@code my_timestamp_from_binary}.
 */
final class TemporalCodec {
  private static final long TIMEF_INT_OFS = 0x800000L;
  private static final long TIMEF_OFS = 0x800000000000L;
  private static final long DATETIMEF_INT_OFS = 0x8000000000L;

  private TemporalCodec() {}

  /** Bytes of the fractional part for {@code fsp} digits. */
  static int fractionBytes(int fsp) {
    return (fsp + 1) / 2;
  }

  /** DATE: 3 bytes little-endian, day 5 bits, month 4 bits, year the rest. */
  static String date(int value) {
    int day = value & 31;
    int month = (value >>> 5) & 15;
    int year = value >>> 9;
    return String.format("%04d-%02d-%02d", year, month, day);
  }

  /** DATETIME2: 5 bytes big-endian plus the fraction, as {@code YYYY-MM-DD hh:mm:ss[.f]}. */
  static String datetime2(byte[] bytes, int fsp) {
    long intPart = bigEndian(bytes, 0, 5) - DATETIMEF_INT_OFS;
    long micros = signedFraction(bytes, 5, fsp);
    long packed = (intPart << 24) + micros;
    if (packed < 0) {
      packed = -packed; // not produced by valid DATETIME values
    }
    micros = packed % (1L << 24);
    long ymdhms = packed >> 24;
    long ymd = ymdhms >> 17;
    long ym = ymd >> 5;
    long hms = ymdhms % (1L << 17);
    return String.format(
            "%04d-%02d-%02d %02d:%02d:%02d",
            ym / 13, ym % 13, ymd % (1 << 5), hms >> 12, (hms >> 6) % (1 << 6), hms % (1 << 6))
        + fraction(micros, fsp);
  }

  /** TIME2: 3 bytes big-endian plus the fraction, as {@code [-]hh:mm:ss[.f]} (hours up to 838). */
  static String time2(byte[] bytes, int fsp) {
    long intPart = bigEndian(bytes, 0, 3) - TIMEF_INT_OFS;
    long packed;
    switch (fsp) {
      case 1, 2 -> {
        long frac = bytes[3] & 0xFF;
        if (intPart < 0 && frac != 0) {
          intPart++; // negative values store the fraction reversed, for sort order
          frac -= 0x100;
        }
        packed = (intPart << 24) + frac * 10000;
      }
      case 3, 4 -> {
        long frac = bigEndian(bytes, 3, 2);
        if (intPart < 0 && frac != 0) {
          intPart++;
          frac -= 0x10000;
        }
        packed = (intPart << 24) + frac * 100;
      }
      case 5, 6 -> packed = bigEndian(bytes, 0, 6) - TIMEF_OFS;
      default -> packed = intPart << 24;
    }
    boolean negative = packed < 0;
    if (negative) {
      packed = -packed;
    }
    long hms = packed >> 24;
    long micros = packed % (1L << 24);
    return String.format(
            "%s%02d:%02d:%02d",
            negative ? "-" : "", (hms >> 12) % (1 << 10), (hms >> 6) % (1 << 6), hms % (1 << 6))
        + fraction(micros, fsp);
  }

  /** TIMESTAMP2: 4 bytes big-endian epoch seconds plus the fraction, rendered in UTC. */
  static String timestamp2(byte[] bytes, int fsp) {
    long seconds = bigEndian(bytes, 0, 4);
    long micros = signedFraction(bytes, 4, fsp);
    return timestamp(seconds, micros, fsp);
  }

  static String timestamp(long seconds, long micros, int fsp) {
    if (seconds == 0 && micros == 0) {
      return "0000-00-00 00:00:00" + fraction(0, fsp);
    }
    LocalDateTime utc = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    return String.format(
            "%04d-%02d-%02d %02d:%02d:%02d",
            utc.getYear(),
            utc.getMonthValue(),
            utc.getDayOfMonth(),
            utc.getHour(),
            utc.getMinute(),
            utc.getSecond())
        + fraction(micros, fsp);
  }

  /** Old DATETIME: the number YYYYMMDDhhmmss. */
  static String datetime1(long value) {
    long date = value / 1000000;
    long time = value % 1000000;
    return String.format(
        "%04d-%02d-%02d %02d:%02d:%02d",
        date / 10000, (date / 100) % 100, date % 100, time / 10000, (time / 100) % 100, time % 100);
  }

  /** Old TIME: the signed number hhmmss. */
  static String time1(int value) {
    boolean negative = value < 0;
    int abs = Math.abs(value);
    return String.format(
        "%s%02d:%02d:%02d", negative ? "-" : "", abs / 10000, (abs / 100) % 100, abs % 100);
  }

  private static long signedFraction(byte[] bytes, int offset, int fsp) {
    return switch (fsp) {
      case 1, 2 -> bytes[offset] * 10000L;
      case 3, 4 -> ((short) bigEndian(bytes, offset, 2)) * 100L;
      case 5, 6 -> {
        long value = bigEndian(bytes, offset, 3);
        yield (value & 0x800000L) != 0 ? value - 0x1000000L : value;
      }
      default -> 0;
    };
  }

  private static String fraction(long micros, int fsp) {
    if (fsp <= 0) {
      return "";
    }
    return "." + String.format("%06d", micros).substring(0, Math.min(6, fsp));
  }

  static long bigEndian(byte[] bytes, int offset, int length) {
    long value = 0;
    for (int i = 0; i < length; i++) {
      value = (value << 8) | (bytes[offset + i] & 0xFF);
    }
    return value;
  }
}
