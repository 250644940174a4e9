package org.bratscv.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bratscv.data.preprocess.BrainCrop;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class CaseCacheTest {

  /** A labelled four-channel case of n^3 voxels: 16 n^3 image bytes + n^3 label bytes. */
  private static PreparedCase cube(String id, int n) {
    Dims d = new Dims(n, n, n);
    Geometry g = Geometry.isotropic(d);
    BrainCrop crop = BrainCrop.of(g, new BoundingBox(0, 0, 0, n, n, n), 1);
    return new PreparedCase(
        id,
        crop,
        Map.of(Normalization.A, new MultiChannelVolume(g, new float[4][d.voxels()])),
        new LabelVolume(g, new byte[d.voxels()]));
  }

  private final List<String> reads = new ArrayList<>();

  private PreparedCase read(String id) {
    reads.add(id);
    return cube(id, id.startsWith("big") ? 3 : 2);
  }

  @Test
  void aCaseCountsItsImageAndLabelBytes() {
    assertEquals(4 * 4 * 8 + 8, cube("a", 2).voxelBytes());
    assertEquals(4 * 4 * 27 + 27, cube("big", 3).voxelBytes());
  }

  @Test
  void theLeastRecentlyUsedCasesGoWhenTheBytesWouldExceedTheBudget() throws IOException {
    CaseCache cache = new CaseCache(this::read, 300); // two 136-byte cases fit, three do not
    PreparedCase a = cache.load("a");
    cache.load("b");
    assertEquals(272, cache.heldBytes());
    assertSame(a, cache.load("a")); // a hit: not read again, and now the most recent
    cache.load("c"); // 408 > 300: b, the least recently used, goes
    assertEquals(List.of("a", "c"), cache.heldCaseIds());
    assertEquals(272, cache.heldBytes());
    cache.load("b");
    assertEquals(List.of("c", "b"), cache.heldCaseIds());
    assertEquals(List.of("a", "b", "c", "b"), reads);
  }

  @Test
  void aCaseLargerThanTheBudgetIsUsedButNotKept() throws IOException {
    CaseCache cache = new CaseCache(this::read, 300);
    cache.load("a");
    assertEquals(459, cache.load("big").voxelBytes());
    cache.load("big");
    assertEquals(List.of("a"), cache.heldCaseIds());
    assertEquals(List.of("a", "big", "big"), reads);
  }

  @Test
  void manySmallCasesFitWhereFewLargeOnesDo() throws IOException {
    CaseCache cache = new CaseCache(this::read, 1000);
    for (String id : List.of("s1", "s2", "s3", "s4", "s5", "s6", "s7")) {
      cache.load(id);
    }
    assertEquals(7, cache.heldCaseIds().size()); // 7 x 136 = 952 bytes
    cache.load("big1"); // 459 more: the four least recent small ones go (952 - 4 x 136 + 459)
    assertEquals(List.of("s5", "s6", "s7", "big1"), cache.heldCaseIds());
    assertEquals(867, cache.heldBytes());
  }

  @Test
  void aZeroBudgetKeepsNothing() throws IOException {
    CaseCache cache = new CaseCache(this::read, 0);
    cache.load("a");
    cache.load("a");
    assertEquals(List.of("a", "a"), reads);
    assertEquals(0, cache.heldBytes());
  }
}
