package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class NativeHeapTest {
  /**
   * Thousands of small tensors (below glibc's mmap threshold, so they live in the arena) freed
   * together leave whole free pages that the trim hands back: it reports a release.
   */
  @Test
  void freedSmallTensorsAreReturnedToTheSystemByGlibc() {
    Assumptions.assumeTrue(com.sun.jna.Platform.isLinux(), "glibc only");
    Assumptions.assumeFalse(
        NativeHeap.tcmalloc(), "tcmalloc is preloaded: it returns memory itself");
    try (NDManager m = NDManager.newBaseManager()) {
      try (NDManager sub = m.newSubManager()) {
        for (int i = 0; i < 2000; i++) {
          sub.zeros(new Shape(16, 1024)); // 64 KiB each, 125 MiB in all
        }
      }
      assertTrue(NativeHeap.trim(), "malloc_trim released nothing after freeing 125 MiB");
    }
  }
}
