package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class BrainBoundingBoxTest {
  private static final Dims D = new Dims(10, 8, 6);

  @Test
  void boxHoldsVoxelsNonZeroInAnyChannelPlusOneVoxel() {
    float[] a = new float[D.voxels()];
    float[] b = new float[D.voxels()];
    a[D.index(3, 2, 2)] = 1;
    b[D.index(5, 4, 3)] = -2; // negative counts as non-zero
    MultiChannelVolume v = Volumes.channels(D, a, b);
    assertEquals(new BoundingBox(2, 1, 1, 7, 6, 5), BrainBoundingBox.of(v));
    assertEquals(new BoundingBox(3, 2, 2, 6, 5, 4), BrainBoundingBox.of(v, 0));
  }

  @Test
  void marginIsClampedToTheVolume() {
    float[] a = new float[D.voxels()];
    a[D.index(0, 0, 0)] = 1;
    a[D.index(9, 7, 5)] = 1;
    assertEquals(BoundingBox.of(D), BrainBoundingBox.of(Volumes.channels(D, a), 3));
  }

  @Test
  void allZeroVolumeHasNoBrain() {
    MultiChannelVolume v = Volumes.channels(D, new float[D.voxels()], new float[D.voxels()]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BrainBoundingBox.of(v));
    assertTrue(e.getMessage().contains("no brain"), e.getMessage());
  }
}
