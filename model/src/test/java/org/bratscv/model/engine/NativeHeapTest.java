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
    Assumptions.assumeFalse(NativeHeap.tcmalloc(), "tcmalloc is preloaded: the test below");
    try (NDManager m = NDManager.newBaseManager()) {
      freeTensors(m);
      assertTrue(NativeHeap.trim(), "malloc_trim released nothing after freeing 125 MiB");
    }
  }

  /**
   * Under a preloaded tcmalloc the trim goes to tcmalloc (glibc's arenas are empty there): after
   * it, tcmalloc's page heap holds (next to) no free bytes, all of them returned to the system.
   */
  @Test
  void freedTensorsAreReturnedToTheSystemByTcmalloc() {
    Assumptions.assumeTrue(NativeHeap.tcmalloc(), "tcmalloc is not preloaded: the test above");
    try (NDManager m = NDManager.newBaseManager()) {
      freeTensors(m);
      long unmappedBefore =
          NativeHeap.tcmallocProperty("tcmalloc.pageheap_unmapped_bytes").orElseThrow();
      assertTrue(NativeHeap.trim());
      // all of it (up to what another JVM thread may have freed since: 1 MiB)
      long freeAfter = NativeHeap.tcmallocProperty("tcmalloc.pageheap_free_bytes").orElseThrow();
      assertTrue(freeAfter <= (1 << 20), "tcmalloc still holds " + freeAfter + " free bytes");
      assertTrue(
          NativeHeap.tcmallocProperty("tcmalloc.pageheap_unmapped_bytes").orElseThrow()
              >= unmappedBefore);
    }
  }

  private static void freeTensors(NDManager m) {
    try (NDManager sub = m.newSubManager()) {
      for (int i = 0; i < 2000; i++) {
        sub.zeros(new Shape(16, 1024)); // 64 KiB each, 125 MiB in all
      }
      for (int i = 0; i < 8; i++) {
        sub.zeros(new Shape(4, 1024, 1024)); // 16 MiB each: spans of the page heap
      }
    }
  }
}
