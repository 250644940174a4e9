package org.bratscv.jobs.stages;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * A least-recently-used map bounded by the bytes its values hold rather than by their count (ten
 * width-48 networks weigh as much as a thousand width-6 ones). Past the budget the least recently
 * used values are evicted and handed to {@code onEvict} (which frees them); the newest value is
 * always kept, even alone over the budget, so a caller always gets what it asked for. Not
 * thread-safe: callers synchronise.
 */
final class ByteBoundedLru<K, V> {
  private final long budgetBytes;
  private final ToLongFunction<V> sizeOf;
  private final Consumer<V> onEvict;
  private final LinkedHashMap<K, Entry<V>> map = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  private record Entry<V>(V value, long bytes) {}

  ByteBoundedLru(long budgetBytes, ToLongFunction<V> sizeOf, Consumer<V> onEvict) {
    if (budgetBytes <= 0) {
      throw new IllegalArgumentException("a cache budget must be positive, got " + budgetBytes);
    }
    this.budgetBytes = budgetBytes;
    this.sizeOf = sizeOf;
    this.onEvict = onEvict;
  }

  /** The value of {@code key}, now the most recently used, or null. */
  V get(K key) {
    Entry<V> e = map.get(key);
    return e == null ? null : e.value();
  }

  /** Adds {@code value} as the most recently used, then evicts the oldest past the budget. */
  void put(K key, V value) {
    long size = sizeOf.applyAsLong(value);
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + key);
    }
    Entry<V> old = map.put(key, new Entry<>(value, size));
    if (old != null) {
      bytes -= old.bytes();
      if (old.value() != value) {
        onEvict.accept(old.value());
      }
    }
    bytes += size;
    Iterator<Map.Entry<K, Entry<V>>> it = map.entrySet().iterator();
    while (bytes > budgetBytes && map.size() > 1) {
      Entry<V> eldest = it.next().getValue();
      it.remove();
      bytes -= eldest.bytes();
      onEvict.accept(eldest.value());
    }
  }

  /** Bytes of the values held. */
  long bytes() {
    return bytes;
  }

  int size() {
    return map.size();
  }
}
