package dev.dray.driveraccess;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Off-heap memory for the long strings of one data chunk. A DuckDB {@code string_t} longer than 12
 * bytes is a length, a 4-byte prefix and a pointer; the chunk's entries point here, and {@code
 * duckdb_append_data_chunk} copies the bytes into the appender's own storage, after which the arena
 * is reused for the next chunk. This replaces one JNI call per long string ({@code
 * duckdb_vector_assign_string_element_len}), which was the largest single cost of appending W1's
 * text column (about 15% of the load's sampled Java time).
 *
 * <p>Pointers come from the direct buffers' native addresses, read once per block through {@code
 * sun.misc.Unsafe}; where that is not available, {@link #create()} returns null and the appender
 * falls back to the JNI call. Blocks are never freed while in use: a full block is kept and a new
 * one started, and all of them are reused after {@link #clear()}.
 */
final class StringArena {
  private static final int BLOCK_SIZE = 1 << 20;
  private static final AddressReader ADDRESSES = AddressReader.load();

  private final List<ByteBuffer> blocks = new ArrayList<>();
  private final List<Long> addresses = new ArrayList<>();
  private int current;

  private StringArena() {
    addBlock(BLOCK_SIZE);
  }

  /** A new arena, or null when native addresses cannot be read on this JVM. */
  static StringArena create() {
    return ADDRESSES == null ? null : new StringArena();
  }

  /** Copies {@code bytes} into the arena and returns their native address. */
  long put(byte[] bytes) {
    return put(bytes, 0, bytes.length);
  }

  /** Copies {@code length} bytes of {@code source} from {@code offset}; returns their address. */
  long put(byte[] source, int offset, int length) {
    ByteBuffer block = blocks.get(current);
    if (block.remaining() < length) {
      current++;
      while (current < blocks.size() && blocks.get(current).capacity() < length) {
        current++;
      }
      if (current == blocks.size()) {
        addBlock(Math.max(BLOCK_SIZE, length));
      }
      block = blocks.get(current);
    }
    long address = addresses.get(current) + block.position();
    block.put(source, offset, length);
    return address;
  }

  /** Makes all blocks free again (the chunk that pointed into them has been handed over). */
  void clear() {
    for (ByteBuffer block : blocks) {
      block.clear();
    }
    current = 0;
  }

  private void addBlock(int size) {
    ByteBuffer block = ByteBuffer.allocateDirect(size);
    blocks.add(block);
    addresses.add(ADDRESSES.address(block));
  }

  /** Reads the native address of a direct buffer. */
  private static final class AddressReader {
    private final sun.misc.Unsafe unsafe;
    private final long addressOffset;

    private AddressReader(sun.misc.Unsafe unsafe, long addressOffset) {
      this.unsafe = unsafe;
      this.addressOffset = addressOffset;
    }

    static AddressReader load() {
      try {
        Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        sun.misc.Unsafe unsafe = (sun.misc.Unsafe) field.get(null);
        long offset = unsafe.objectFieldOffset(Buffer.class.getDeclaredField("address"));
        AddressReader reader = new AddressReader(unsafe, offset);
        ByteBuffer probe = ByteBuffer.allocateDirect(8);
        return reader.address(probe) != 0 ? reader : null;
      } catch (ReflectiveOperationException | RuntimeException | LinkageError unavailable) {
        return null;
      }
    }

    long address(ByteBuffer direct) {
      return unsafe.getLong(direct, addressOffset);
    }
  }
}
