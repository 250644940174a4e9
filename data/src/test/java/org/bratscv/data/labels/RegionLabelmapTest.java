package org.bratscv.data.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class RegionLabelmapTest {
  // The 8 membership combinations (ET, TC, WT), one voxel each, x = 4 * et + 2 * tc + wt.
  private static MultiChannelVolume allCombinations(float in, float out) {
    float[][] ch = new float[3][8];
    for (int i = 0; i < 8; i++) {
      ch[0][i] = (i & 4) != 0 ? in : out;
      ch[1][i] = (i & 2) != 0 ? in : out;
      ch[2][i] = (i & 1) != 0 ? in : out;
    }
    return new MultiChannelVolume(Geometry.isotropic(new Dims(8, 1, 1)), ch);
  }

  private static int[] labels(LabelVolume v) {
    int[] out = new int[v.labels().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.labels()[i] & 0xFF;
    }
    return out;
  }

  @Test
  void labelsFollowTheReferenceWriteOrderForEveryRegionCombination() {
    LabelVolume v =
        RegionLabelmap.fromProbabilities(allCombinations(0.9f, 0.1f), LabelScheme.BRATS2020);
    // (ET,TC,WT) = 000 001 010 011 100 101 110 111
    assertArrayEquals(new int[] {0, 2, 1, 1, 4, 2, 4, 4}, labels(v));
  }

  @Test
  void enhancingTumorIsThreeUnderThe2023Scheme() {
    LabelVolume v =
        RegionLabelmap.fromProbabilities(allCombinations(0.9f, 0.1f), LabelScheme.BRATS2023);
    assertArrayEquals(new int[] {0, 2, 1, 1, 3, 2, 3, 3}, labels(v));
  }

  @Test
  void probabilityEqualToTheThresholdIsOutside() {
    assertArrayEquals(
        new int[8],
        labels(RegionLabelmap.fromProbabilities(allCombinations(0.5f, 0f), LabelScheme.BRATS2020)));
    LabelVolume justAbove =
        RegionLabelmap.fromProbabilities(allCombinations(0.5001f, 0f), LabelScheme.BRATS2020);
    assertEquals(4, justAbove.labels()[7]);
  }

  @Test
  void thresholdIsConfigurable() {
    MultiChannelVolume p = allCombinations(0.4f, 0.2f);
    assertArrayEquals(
        new int[8], labels(RegionLabelmap.fromProbabilities(p, LabelScheme.BRATS2020, 0.5)));
    assertArrayEquals(
        new int[] {0, 2, 1, 1, 4, 2, 4, 4},
        labels(RegionLabelmap.fromProbabilities(p, LabelScheme.BRATS2020, 0.3)));
  }

  @Test
  void keepsTheGeometryOfTheProbabilities() {
    MultiChannelVolume p = allCombinations(1f, 0f);
    assertEquals(
        p.geometry(), RegionLabelmap.fromProbabilities(p, LabelScheme.BRATS2021).geometry());
  }

  @Test
  void rejectsAnythingButThreeChannels() {
    MultiChannelVolume two =
        new MultiChannelVolume(Geometry.isotropic(new Dims(2, 1, 1)), new float[2][2]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RegionLabelmap.fromProbabilities(two, LabelScheme.BRATS2020));
    assertEquals("region probabilities need 3 channels (ET, TC, WT), got 2", e.getMessage());
  }
}
