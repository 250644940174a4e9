package org.bratscv.model.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a use-after-free of Java direct buffers visible: collects garbage (so the JDK frees the
 * native memory of unreachable direct buffers), then takes small native blocks back and fills them
 * with NaN, which is what a tensor still pointing at freed memory will then read. Keep the returned
 * handle reachable until the reads are done ({@code Reference.reachabilityFence}).
 */
public final class FreedMemoryReuse {
  private final List<ByteBuffer> blocks = new ArrayList<>();

  private FreedMemoryReuse() {}

  /** Collects, waits for the buffers' cleaners, and refills freed small blocks with NaN. */
  public static FreedMemoryReuse collectAndOverwrite() throws InterruptedException {
    return collectAndOverwrite(30);
  }

  /** As {@link #collectAndOverwrite()}, giving the cleaners {@code waitMillis} to run. */
  public static FreedMemoryReuse collectAndOverwrite(long waitMillis) throws InterruptedException {
    System.gc();
    Thread.sleep(waitMillis);
    FreedMemoryReuse r = new FreedMemoryReuse();
    for (int i = 0; i < 500; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(4 << (i % 2));
      while (b.remaining() >= 4) {
        b.putInt(0x7fc00000);
      }
      r.blocks.add(b);
    }
    return r;
  }
}
