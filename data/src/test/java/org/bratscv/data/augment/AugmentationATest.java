package org.bratscv.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bratscv.data.preprocess.TrainingPatch;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class AugmentationATest {
  private static final AugmentationA A = AugmentationA.PAPER;
  private static final int DRAWS = 20_000;

  /** Within 4.5 standard errors of a binomial proportion (false alarm ~ 7e-6 per check). */
  private static void assertRate(String what, double p, int hits, int n) {
    double se = Math.sqrt(p * (1 - p) / n);
    double rate = (double) hits / n;
    assertTrue(Math.abs(rate - p) < 4.5 * se, what + ": rate " + rate + ", expected " + p);
  }

  @Test
  void eachTransformFiresAtItsPaperProbability() {
    SplittableRandom rng = new SplittableRandom(2020);
    int rescale = 0;
    int noise = 0;
    int drop = 0;
    int[] axis = new int[3];
    int[] dropped = new int[4];
    for (int i = 0; i < DRAWS; i++) {
      AugmentationA.Plan p = A.plan(4, rng);
      rescale += p.scales() != null ? 1 : 0;
      noise += p.noise() ? 1 : 0;
      for (int a = 0; a < 3; a++) {
        axis[a] += p.flips()[a] ? 1 : 0;
      }
      if (p.droppedChannel() >= 0) {
        drop++;
        dropped[p.droppedChannel()]++;
      }
    }
    assertRate("rescale", 0.8, rescale, DRAWS);
    assertRate("noise", 0.8, noise, DRAWS);
    for (int a = 0; a < 3; a++) {
      assertRate("flip axis " + a, 0.8 * 0.5, axis[a], DRAWS);
    }
    assertRate("channel drop", 0.16, drop, DRAWS);
    for (int c = 0; c < 4; c++) {
      assertRate("dropped channel " + c, 0.25, dropped[c], drop);
    }
  }

  @Test
  void rescaleFactorsArePerChannelAndWithinRange() {
    SplittableRandom rng = new SplittableRandom(1);
    double min = 2;
    double max = 0;
    for (int i = 0; i < 2000; i++) {
      double[] s = A.plan(4, rng).scales();
      if (s != null) {
        for (double f : s) {
          min = Math.min(min, f);
          max = Math.max(max, f);
        }
        assertNotEquals(s[0], s[1]);
      }
    }
    assertTrue(min >= 0.9 && min < 0.91, "min factor " + min);
    assertTrue(max < 1.1 && max > 1.09, "max factor " + max);
  }

  @Test
  void rescaleOnlyMultipliesEachChannelByItsFactor() {
    TrainingPatch in = Patches.ramps(new Dims(4, 3, 2), 2, 3);
    AugmentationA.Plan plan =
        new AugmentationA.Plan(new double[] {0.9, 1.1}, false, 0, new boolean[3], -1);
    TrainingPatch out = A.apply(in, plan);
    for (int i = 0; i < 24; i++) {
      assertEquals(0.9f * (i + 1), out.image().channel(0)[i], 1e-5f);
      assertEquals(1.1f * 2 * (i + 1), out.image().channel(1)[i], 1e-4f);
    }
    assertArrayEquals(in.target().channel(2), out.target().channel(2));
  }

  @Test
  void noiseStdIsATenthOfTheChannelStdOverPositiveVoxels() {
    Dims d = new Dims(32, 32, 32);
    int n = d.voxels();
    float[] ch = new float[n];
    // A third background, the rest alternating 1 and 3: positive std = 1 (ddof 1 ~ 1.00004).
    for (int i = 0; i < n; i++) {
      ch[i] = i % 3 == 0 ? 0 : (i % 2 == 0 ? 1 : 3);
    }
    assertEquals(1.0, AugmentationA.positiveStd(ch), 1e-4);
    Geometry g = Geometry.isotropic(d);
    TrainingPatch in =
        new TrainingPatch(
            new MultiChannelVolume(g, new float[][] {ch}),
            new MultiChannelVolume(g, new float[][] {new float[n]}));
    AugmentationA.Plan plan = new AugmentationA.Plan(null, true, 77, new boolean[3], -1);
    float[] out = A.apply(in, plan).image().channel(0);
    double sum = 0;
    double squares = 0;
    for (int i = 0; i < n; i++) {
      double e = out[i] - ch[i];
      sum += e;
      squares += e * e;
    }
    double mean = sum / n;
    double std = Math.sqrt(squares / n - mean * mean);
    // Standard error of a std estimate from 32768 samples: 0.1 / sqrt(2n) ~ 4e-4.
    assertEquals(0.1, std, 0.002);
    assertEquals(0, mean, 0.003);
  }

  @Test
  void flipsMoveImageAndTargetsTogether() {
    Dims d = new Dims(5, 4, 3);
    TrainingPatch in = Patches.ramps(d, 2, 3);
    boolean[] flips = {true, true, false};
    TrainingPatch out = A.apply(in, new AugmentationA.Plan(null, false, 0, flips, -1));
    for (int z = 0; z < 3; z++) {
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 5; x++) {
          int dst = d.index(x, y, z);
          int src = d.index(4 - x, 3 - y, z);
          assertEquals(in.image().channel(1)[src], out.image().channel(1)[dst]);
          assertEquals(in.target().channel(2)[src], out.target().channel(2)[dst]);
          // The voxel an image value came from is the voxel its target came from.
          assertEquals(out.image().channel(0)[dst], out.target().channel(0)[dst]);
        }
      }
    }
  }

  @Test
  void channelDropZeroesExactlyThatChannel() {
    TrainingPatch in = Patches.ramps(new Dims(3, 3, 3), 4, 3);
    TrainingPatch out = A.apply(in, new AugmentationA.Plan(null, false, 0, new boolean[3], 2));
    assertArrayEquals(new float[27], out.image().channel(2));
    assertArrayEquals(in.image().channel(3), out.image().channel(3));
  }

  @Test
  void sameSeedSameOutputAndTheInputIsUntouched() {
    TrainingPatch in = Patches.ramps(new Dims(8, 8, 8), 4, 3);
    float[][] before = Patches.copy(in.image());
    boolean someDiffer = false;
    for (long seed = 0; seed < 10; seed++) {
      TrainingPatch a = A.apply(in, new SplittableRandom(seed));
      TrainingPatch b = A.apply(in, new SplittableRandom(seed));
      TrainingPatch c = A.apply(in, new SplittableRandom(seed + 100));
      for (int ch = 0; ch < 4; ch++) {
        assertArrayEquals(a.image().channel(ch), b.image().channel(ch));
        assertArrayEquals(before[ch], in.image().channel(ch));
        someDiffer |= !java.util.Arrays.equals(a.image().channel(ch), c.image().channel(ch));
      }
      for (int ch = 0; ch < 3; ch++) {
        assertArrayEquals(a.target().channel(ch), b.target().channel(ch));
      }
    }
    assertTrue(someDiffer);
  }

  @Test
  void probabilityZeroNeverFiresAndOneAlwaysDoes() {
    AugmentationA never = new AugmentationA(0, 0.9, 1.1, 0, 0.1, 0, 0.5, 0);
    AugmentationA always = new AugmentationA(1, 0.9, 1.1, 1, 0.1, 1, 1, 1);
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      AugmentationA.Plan p = never.plan(4, rng);
      assertNull(p.scales());
      assertFalse(p.noise());
      assertArrayEquals(new boolean[3], p.flips());
      assertEquals(-1, p.droppedChannel());
      AugmentationA.Plan q = always.plan(4, rng);
      assertTrue(q.scales() != null && q.noise() && q.droppedChannel() >= 0);
      assertArrayEquals(new boolean[] {true, true, true}, q.flips());
    }
  }

  @Test
  void invalidSettingsAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new AugmentationA(1.2, 0.9, 1.1, 0.8, 0.1, 0.8, 0.5, 0.16));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AugmentationA(0.8, 1.1, 0.9, 0.8, 0.1, 0.8, 0.5, 0.16));
  }
}
