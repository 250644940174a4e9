package org.bratscv.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.TrainingPatch;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class AugmentationBTest {
  private static final AugmentationB B = AugmentationB.PAPER;
  private static final int DRAWS = 20_000;

  private static void assertRate(String what, double p, int hits, int n) {
    double se = Math.sqrt(p * (1 - p) / n);
    double rate = (double) hits / n;
    assertTrue(Math.abs(rate - p) < 4.5 * se, what + ": rate " + rate + ", expected " + p);
  }

  @Test
  void eachTransformFiresAtItsPaperProbabilityWithParametersInRange() {
    SplittableRandom rng = new SplittableRandom(2021);
    int noise = 0;
    int gamma = 0;
    int shift = 0;
    int[] axis = new int[3];
    double gMin = 9;
    double gMax = 0;
    double sMin = 1;
    double sMax = -1;
    for (int i = 0; i < DRAWS; i++) {
      AugmentationB.Plan p = B.plan(rng);
      noise += p.noise() ? 1 : 0;
      if (p.gammaFires()) {
        gamma++;
        gMin = Math.min(gMin, p.gamma());
        gMax = Math.max(gMax, p.gamma());
      }
      if (p.shift() != 0) {
        shift++;
        sMin = Math.min(sMin, p.shift());
        sMax = Math.max(sMax, p.shift());
      }
      for (int a = 0; a < 3; a++) {
        axis[a] += p.flips()[a] ? 1 : 0;
      }
    }
    assertRate("noise", 0.2, noise, DRAWS);
    assertRate("gamma", 0.2, gamma, DRAWS);
    assertRate("shift", 0.2, shift, DRAWS);
    for (int a = 0; a < 3; a++) {
      assertRate("flip axis " + a, 0.5, axis[a], DRAWS);
    }
    assertTrue(gMin >= 0.5 && gMin < 0.52 && gMax < 2.5 && gMax > 2.48, gMin + " " + gMax);
    assertTrue(sMin >= -0.1 && sMin < -0.099 && sMax < 0.1 && sMax > 0.099, sMin + " " + sMax);
  }

  @Test
  void gammaRescalesEachChannelToUnitRangeAndBack() {
    // [-1, 0, 1] -> [0, 0.5, 1] -> squared [0, 0.25, 1] -> back [-1, -0.5, 1].
    assertArrayEquals(
        new float[] {-1, -0.5f, 1}, AugmentationB.gammaCorrected(new float[] {-1, 0, 1}, 2), 1e-6f);
    assertArrayEquals(
        new float[] {2, 2}, AugmentationB.gammaCorrected(new float[] {2, 2}, 0.5), 0f);
  }

  @Test
  void noiseAndShiftChangeIntensitiesAsPlanned() {
    Dims d = new Dims(32, 32, 32);
    TrainingPatch in = Patches.ramps(d, 1, 1);
    float[] orig = in.image().channel(0);
    float[] shifted =
        B.apply(in, new AugmentationB.Plan(false, 0, Double.NaN, 0.05, new boolean[3]))
            .image()
            .channel(0);
    for (int i = 0; i < orig.length; i += 997) {
      assertEquals(orig[i] + 0.05, shifted[i], Math.ulp(orig[i]) * 2 + 1e-6);
    }
    float[] noised =
        B.apply(in, new AugmentationB.Plan(true, 5, Double.NaN, 0, new boolean[3]))
            .image()
            .channel(0);
    double squares = 0;
    for (int i = 0; i < orig.length; i++) {
      double e = noised[i] - orig[i];
      squares += e * e;
    }
    // Float rounding of values up to 32768 adds ~1e-3 of error; the std should be 0.1.
    assertEquals(0.1, Math.sqrt(squares / orig.length), 0.003);
  }

  @Test
  void flipsMoveImageAndTargetsTogether() {
    Dims d = new Dims(3, 4, 5);
    TrainingPatch in = Patches.ramps(d, 1, 2);
    TrainingPatch out =
        B.apply(
            in, new AugmentationB.Plan(false, 0, Double.NaN, 0, new boolean[] {false, true, true}));
    for (int i = 0; i < d.voxels(); i++) {
      assertEquals(out.image().channel(0)[i], out.target().channel(0)[i]);
    }
    assertEquals(in.image().channel(0)[d.index(2, 3, 4)], out.image().channel(0)[d.index(2, 0, 0)]);
  }

  @Test
  void sameSeedSameOutput() {
    TrainingPatch in = Patches.ramps(new Dims(6, 6, 6), 4, 3);
    for (long seed = 0; seed < 20; seed++) {
      TrainingPatch a = B.apply(in, new SplittableRandom(seed));
      TrainingPatch b = B.apply(in, new SplittableRandom(seed));
      for (int c = 0; c < 4; c++) {
        assertArrayEquals(a.image().channel(c), b.image().channel(c));
      }
      for (int c = 0; c < 3; c++) {
        assertArrayEquals(a.target().channel(c), b.target().channel(c));
      }
    }
  }

  @Test
  void eachPipelineGetsItsPaperAugmentation() {
    assertSame(AugmentationA.PAPER, Augmentation.paperDefault(Normalization.A));
    assertSame(AugmentationB.PAPER, Augmentation.paperDefault(Normalization.B));
    assertThrows(
        IllegalArgumentException.class,
        () -> new AugmentationB(0.2, 0.1, 0.2, 0, 2.5, 0.2, -0.1, 0.1, 0.5));
  }
}
