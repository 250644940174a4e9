package org.bratscv.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class SpatialFlipTest {
  @Test
  void flipMovesEachVoxelToItsMirrorAndTwiceIsIdentity() {
    Dims d = new Dims(4, 3, 2);
    float[] v = new float[d.voxels()];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    boolean[] xz = {true, false, true};
    float[] f = SpatialFlip.flip(v, d, xz);
    for (int z = 0; z < 2; z++) {
      for (int y = 0; y < 3; y++) {
        for (int x = 0; x < 4; x++) {
          assertEquals(v[d.index(3 - x, y, 1 - z)], f[d.index(x, y, z)]);
        }
      }
    }
    assertArrayEquals(v, SpatialFlip.flip(f, d, xz));
    float[] yOnly = SpatialFlip.flip(v, d, new boolean[] {false, true, false});
    assertEquals(v[d.index(1, 2, 0)], yOnly[d.index(1, 0, 0)]);
  }
}
