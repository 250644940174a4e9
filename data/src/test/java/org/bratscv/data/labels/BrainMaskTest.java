package org.bratscv.data.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class BrainMaskTest {
  private static final Dims DIMS = new Dims(12, 10, 8);

  /** Four modalities on a zero background, a ball of brain, and one modality empty in a corner. */
  private static MultiChannelVolume skullStripped(SplittableRandom rng, boolean[] brain) {
    float[][] ch = new float[4][DIMS.voxels()];
    for (int z = 0; z < DIMS.nz(); z++) {
      for (int y = 0; y < DIMS.ny(); y++) {
        for (int x = 0; x < DIMS.nx(); x++) {
          int i = DIMS.index(x, y, z);
          double r = Math.hypot(Math.hypot(x - 5.5, y - 4.5), 1.3 * (z - 3.5));
          brain[i] = r < 4.2;
          for (int m = 0; m < 4; m++) {
            // the last modality is zero (but the voxel still brain) where x < 3
            boolean zero = !brain[i] || (m == 3 && x < 3);
            ch[m][i] = zero ? 0 : (float) (200 + 800 * rng.nextDouble());
          }
        }
      }
    }
    return new MultiChannelVolume(Geometry.isotropic(DIMS), ch);
  }

  @Test
  void pipelineBsInputsGiveTheSourcesNonZeroVoxelsExactly() {
    boolean[] brain = new boolean[DIMS.voxels()];
    MultiChannelVolume raw = skullStripped(new SplittableRandom(7), brain);
    assertArrayEquals(brain, BrainMask.of(List.of(raw)));
    assertArrayEquals(brain, BrainMask.of(List.of(Normalization.B.apply(raw))));
  }

  @Test
  void pipelineAsInputsGiveASubsetAndWithBsTheExactMask() {
    boolean[] brain = new boolean[DIMS.voxels()];
    MultiChannelVolume raw = skullStripped(new SplittableRandom(11), brain);
    MultiChannelVolume a = Normalization.A.apply(raw);
    boolean[] fromA = BrainMask.of(List.of(a));
    int lost = 0;
    for (int i = 0; i < brain.length; i++) {
      assertTrue(brain[i] || !fromA[i], "voxel " + i + " outside the brain is in A's mask");
      lost += brain[i] && !fromA[i] ? 1 : 0;
    }
    // only voxels at or below the 1st percentile in every modality can drop out
    assertTrue(lost < 0.01 * brain.length, lost + " brain voxels lost");
    assertArrayEquals(brain, BrainMask.of(List.of(a, Normalization.B.apply(raw))));
  }

  @Test
  void restrictZeroesEveryChannelOutsideAndKeepsTheRest() {
    float[][] p = {{0.9f, 0.8f, 0.7f}, {0.6f, 0.5f, 0.4f}, {0.3f, 0.2f, 0.1f}};
    MultiChannelVolume maps = new MultiChannelVolume(Geometry.isotropic(new Dims(3, 1, 1)), p);
    MultiChannelVolume r = BrainMask.restrict(maps, new boolean[] {true, false, true});
    assertArrayEquals(new float[] {0.9f, 0f, 0.7f}, r.channel(0));
    assertArrayEquals(new float[] {0.6f, 0f, 0.4f}, r.channel(1));
    assertArrayEquals(new float[] {0.3f, 0f, 0.1f}, r.channel(2));
    assertEquals(0.8f, maps.channel(0)[1], "the input is left as it was");
    assertEquals(0, RegionLabelmap.fromProbabilities(r, LabelScheme.BRATS2020).labels()[1]);
  }

  @Test
  void badInputsAreRefusedWithTheSizes() {
    MultiChannelVolume small =
        new MultiChannelVolume(Geometry.isotropic(new Dims(2, 1, 1)), new float[][] {{1, 0}});
    MultiChannelVolume large =
        new MultiChannelVolume(Geometry.isotropic(new Dims(3, 1, 1)), new float[][] {{1, 0, 0}});
    assertThrows(IllegalArgumentException.class, () -> BrainMask.of(List.of()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BrainMask.of(List.of(small, large)));
    assertTrue(
        e.getMessage().contains(small.dims().toString())
            && e.getMessage().contains(large.dims().toString()),
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> BrainMask.restrict(large, new boolean[] {true}));
  }
}
