package dev.dray.change;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.DeleteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.UpdateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;

/**
 * The library's row event deserializers with exact cell decoding: temporal values as text (see
 * {@link TemporalCodec}), CHAR/VARCHAR as bytes (the log carries no charset; {@link ColumnDecoder}
 * applies the column's), YEAR 0 as 0.
 */
final class RowImageDeserializers {
  private RowImageDeserializers() {}

  static Serializable date(ByteArrayInputStream in) throws IOException {
    return TemporalCodec.date(in.readInteger(3));
  }

  static Serializable time(ByteArrayInputStream in) throws IOException {
    int value = in.readInteger(3);
    return TemporalCodec.time1((value << 8) >> 8);
  }

  static Serializable timeV2(int meta, ByteArrayInputStream in) throws IOException {
    return TemporalCodec.time2(in.read(3 + TemporalCodec.fractionBytes(meta)), meta);
  }

  static Serializable timestamp(ByteArrayInputStream in) throws IOException {
    return TemporalCodec.timestamp(in.readLong(4), 0, 0);
  }

  static Serializable timestampV2(int meta, ByteArrayInputStream in) throws IOException {
    return TemporalCodec.timestamp2(in.read(4 + TemporalCodec.fractionBytes(meta)), meta);
  }

  static Serializable datetime(ByteArrayInputStream in) throws IOException {
    return TemporalCodec.datetime1(in.readLong(8));
  }

  static Serializable datetimeV2(int meta, ByteArrayInputStream in) throws IOException {
    return TemporalCodec.datetime2(in.read(5 + TemporalCodec.fractionBytes(meta)), meta);
  }

  static Serializable year(ByteArrayInputStream in) throws IOException {
    int value = in.readInteger(1);
    return value == 0 ? 0 : 1900 + value;
  }

  static Serializable string(int length, ByteArrayInputStream in) throws IOException {
    int size = length < 256 ? in.readInteger(1) : in.readInteger(2);
    return in.read(size);
  }

  static Serializable varString(int meta, ByteArrayInputStream in) throws IOException {
    int size = meta < 256 ? in.readInteger(1) : in.readInteger(2);
    return in.read(size);
  }

  static final class Write extends WriteRowsEventDataDeserializer {
    Write(Map<Long, TableMapEventData> tables, boolean extended) {
      super(tables);
      setMayContainExtraInformation(extended);
    }

    @Override
    protected Serializable deserializeDate(ByteArrayInputStream in) throws IOException {
      return date(in);
    }

    @Override
    protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
      return time(in);
    }

    @Override
    protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
      return timeV2(meta, in);
    }

    @Override
    protected Serializable deserializeTimestamp(ByteArrayInputStream in) throws IOException {
      return timestamp(in);
    }

    @Override
    protected Serializable deserializeTimestampV2(int meta, ByteArrayInputStream in)
        throws IOException {
      return timestampV2(meta, in);
    }

    @Override
    protected Serializable deserializeDatetime(ByteArrayInputStream in) throws IOException {
      return datetime(in);
    }

    @Override
    protected Serializable deserializeDatetimeV2(int meta, ByteArrayInputStream in)
        throws IOException {
      return datetimeV2(meta, in);
    }

    @Override
    protected Serializable deserializeYear(ByteArrayInputStream in) throws IOException {
      return year(in);
    }

    @Override
    protected Serializable deserializeString(int length, ByteArrayInputStream in)
        throws IOException {
      return string(length, in);
    }

    @Override
    protected Serializable deserializeVarString(int meta, ByteArrayInputStream in)
        throws IOException {
      return varString(meta, in);
    }
  }

  static final class Update extends UpdateRowsEventDataDeserializer {
    Update(Map<Long, TableMapEventData> tables, boolean extended) {
      super(tables);
      setMayContainExtraInformation(extended);
    }

    @Override
    protected Serializable deserializeDate(ByteArrayInputStream in) throws IOException {
      return date(in);
    }

    @Override
    protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
      return time(in);
    }

    @Override
    protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
      return timeV2(meta, in);
    }

    @Override
    protected Serializable deserializeTimestamp(ByteArrayInputStream in) throws IOException {
      return timestamp(in);
    }

    @Override
    protected Serializable deserializeTimestampV2(int meta, ByteArrayInputStream in)
        throws IOException {
      return timestampV2(meta, in);
    }

    @Override
    protected Serializable deserializeDatetime(ByteArrayInputStream in) throws IOException {
      return datetime(in);
    }

    @Override
    protected Serializable deserializeDatetimeV2(int meta, ByteArrayInputStream in)
        throws IOException {
      return datetimeV2(meta, in);
    }

    @Override
    protected Serializable deserializeYear(ByteArrayInputStream in) throws IOException {
      return year(in);
    }

    @Override
    protected Serializable deserializeString(int length, ByteArrayInputStream in)
        throws IOException {
      return string(length, in);
    }

    @Override
    protected Serializable deserializeVarString(int meta, ByteArrayInputStream in)
        throws IOException {
      return varString(meta, in);
    }
  }

  static final class Delete extends DeleteRowsEventDataDeserializer {
    Delete(Map<Long, TableMapEventData> tables, boolean extended) {
      super(tables);
      setMayContainExtraInformation(extended);
    }

    @Override
    protected Serializable deserializeDate(ByteArrayInputStream in) throws IOException {
      return date(in);
    }

    @Override
    protected Serializable deserializeTime(ByteArrayInputStream in) throws IOException {
      return time(in);
    }

    @Override
    protected Serializable deserializeTimeV2(int meta, ByteArrayInputStream in) throws IOException {
      return timeV2(meta, in);
    }

    @Override
    protected Serializable deserializeTimestamp(ByteArrayInputStream in) throws IOException {
      return timestamp(in);
    }

    @Override
    protected Serializable deserializeTimestampV2(int meta, ByteArrayInputStream in)
        throws IOException {
      return timestampV2(meta, in);
    }

    @Override
    protected Serializable deserializeDatetime(ByteArrayInputStream in) throws IOException {
      return datetime(in);
    }

    @Override
    protected Serializable deserializeDatetimeV2(int meta, ByteArrayInputStream in)
        throws IOException {
      return datetimeV2(meta, in);
    }

    @Override
    protected Serializable deserializeYear(ByteArrayInputStream in) throws IOException {
      return year(in);
    }

    @Override
    protected Serializable deserializeString(int length, ByteArrayInputStream in)
        throws IOException {
      return string(length, in);
    }

    @Override
    protected Serializable deserializeVarString(int meta, ByteArrayInputStream in)
        throws IOException {
      return varString(meta, in);
    }
  }
}
