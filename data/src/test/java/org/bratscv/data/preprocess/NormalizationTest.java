package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class NormalizationTest {
  private static final MinMaxPercentileNormalization A = MinMaxPercentileNormalization.PAPER;
  private static final ZScoreNormalization B = ZScoreNormalization.PAPER;

  @Test
  void pipelineAClipsToPercentilesOfPositiveVoxelsThenScalesTheWholeImage() {
    // Background 0 and intensities 1..101: p1 = 2, p99 = 100 over the 101 positive voxels.
    float[] v = new float[102];
    for (int i = 1; i <= 101; i++) {
      v[i] = i;
    }
    assertArrayEquals(new double[] {2, 100}, A.clipBounds(v), 0);
    float[] out = A.apply(v);
    assertEquals(0f, out[0]); // background: clipped up to 2, then the minimum
    assertEquals(0f, out[1]); // 1 < p1
    assertEquals(0f, out[2]);
    assertEquals(0.5f, out[51], 1e-7f); // (51 - 2) / 98
    assertEquals(1f, out[100]);
    assertEquals(1f, out[101]); // above p99
  }

  @Test
  void pipelineAMatchesNumpyOnAPinnedArray() {
    // x_i = ((i * 7919) mod 1009) / 2 as float32; reference values from numpy 2.4.6 running the
    // reference's irm_min_max_preprocess.
    float[] x = new float[2000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (((i * 7919L) % 1009) * 0.5);
    }
    double[] bounds = A.clipBounds(x);
    assertEquals(5.484999999999999, bounds[0], 1e-12);
    assertEquals(499.015, bounds[1], 1e-12);
    float[] out = A.apply(x);
    assertEquals(0.0f, out[0]);
    assertEquals(0.8561080380118736, out[1], 1e-7);
    assertEquals(0.7011022632869329, out[2], 1e-7);
    assertEquals(0.4832836909610358, out[10], 1e-7);
    assertEquals(0.889540656089802, out[1999], 1e-7);
  }

  @Test
  void pipelineAOfAConstantModalityIsAllZero() {
    float[] out = A.apply(new float[] {0, 5, 5, 5, 0});
    assertArrayEquals(new float[5], out);
  }

  @Test
  void pipelineARejectsAnAllZeroModalityAndNaN() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> A.apply(new float[8]));
    assertTrue(e.getMessage().contains("all-zero"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> A.apply(new float[] {1, Float.NaN, 2}));
    assertTrue(e.getMessage().contains("voxel 1"), e.getMessage());
  }

  @Test
  void pipelineBZScoresNonZeroVoxelsAndKeepsZeros() {
    // Non-zero voxels 1, 2, 3: mean 2, population std sqrt(2/3).
    float[] out = B.apply(new float[] {0, 1, 2, 3, 0});
    double s = Math.sqrt(2.0 / 3.0);
    assertArrayEquals(new float[] {0, (float) (-1 / s), 0, (float) (1 / s), 0}, out, 1e-6f);
  }

  @Test
  void pipelineBMatchesNumpyOnAPinnedArrayWithNegativeValues() {
    float[] y = new float[2000];
    for (int i = 0; i < y.length; i++) {
      y[i] = i % 7 == 0 ? 0 : (float) (((i * 7919L) % 1009) * 0.5 - 100);
    }
    double[] ms = B.meanAndStd(y);
    assertEquals(151.9392523364486, ms[0], 1e-9);
    assertEquals(145.7141316660742, ms[1], 1e-9);
    float[] z = B.apply(y);
    assertEquals(0f, z[0]);
    assertEquals(1.2082613103512914, z[1], 1e-6);
    assertEquals(-0.05448512265538238, z[10], 1e-6);
    assertEquals(1.3214967241806943, z[1999], 1e-6);
  }

  @Test
  void pipelineBOfAConstantModalityIsAllZeroAndOfAnEmptyOneAnError() {
    assertArrayEquals(new float[4], B.apply(new float[] {0, 3, 3, 0}));
    assertThrows(IllegalArgumentException.class, () -> B.apply(new float[4]));
  }

  @Test
  void eachChannelIsNormalisedOnItsOwnAndErrorsNameTheChannel() {
    Dims d = new Dims(2, 1, 1);
    MultiChannelVolume v = Volumes.channels(d, new float[] {0, 10}, new float[] {1, 3});
    MultiChannelVolume out = Normalization.B.apply(v);
    assertArrayEquals(new float[] {0, 0}, out.channel(0)); // single non-zero voxel: std 0
    assertArrayEquals(new float[] {-1, 1}, out.channel(1), 1e-6f);
    MultiChannelVolume bad = Volumes.channels(d, new float[] {0, 10}, new float[2]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Normalization.A.apply(bad));
    assertTrue(e.getMessage().startsWith("channel 1: "), e.getMessage());
  }

  @Test
  void pipelinesParseFromTheirLetterOrName() {
    assertEquals(Normalization.A, Normalization.parse("minmax"));
    assertEquals(Normalization.B, Normalization.parse(" b "));
    assertThrows(IllegalArgumentException.class, () -> Normalization.parse("c"));
  }
}
