package org.bratscv.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class PhantomGeneratorTest {
  private static final Dims SMALL = new Dims(64, 64, 48);

  @Test
  void sameSeedAndIndexGiveTheSameVoxels() {
    Phantom a = new PhantomGenerator(SMALL, 7).generate("c", 3);
    Phantom b = new PhantomGenerator(SMALL, 7).generate("c", 3);
    for (int m = 0; m < 4; m++) {
      assertArrayEquals(a.modalities().channel(m), b.modalities().channel(m));
    }
    assertArrayEquals(a.seg().labels(), b.seg().labels());
  }

  @Test
  void otherSeedOrIndexGivesAnotherCase() {
    Phantom a = new PhantomGenerator(SMALL, 7).generate("c", 3);
    Phantom b = new PhantomGenerator(SMALL, 8).generate("c", 3);
    Phantom c = new PhantomGenerator(SMALL, 7).generate("c", 4);
    assertFalse(Arrays.equals(a.seg().labels(), b.seg().labels()));
    assertFalse(Arrays.equals(a.seg().labels(), c.seg().labels()));
  }

  @Test
  void lesionScaleOneIsTheDefaultAndALargerScaleGrowsOnlyTheTumour() {
    Dims demo = new Dims(48, 48, 32);
    Phantom plain = new PhantomGenerator(demo, 2020).generate("c", 1000);
    Phantom one = new PhantomGenerator(demo, 2020, 1.0).generate("c", 1000);
    assertArrayEquals(plain.seg().labels(), one.seg().labels());
    assertArrayEquals(plain.modalities().channel(0), one.modalities().channel(0));
    int larger = 0;
    for (int index = 1; index <= 6; index++) {
      Phantom small = new PhantomGenerator(demo, 2020).generate("c", index);
      Phantom big = new PhantomGenerator(demo, 2020, 1.6).generate("c", index);
      int[] s = counts(small.seg().labels());
      int[] b = counts(big.seg().labels());
      assertTrue(b[0] > s[0], "whole tumour grows, case " + index + ": " + s[0] + " -> " + b[0]);
      larger += b[1] > s[1] ? 1 : 0;
      // the brain itself is unchanged: the same voxels are non-zero
      float[] a = small.modalities().channel(0);
      float[] c = big.modalities().channel(0);
      for (int v = 0; v < a.length; v++) {
        assertEquals(a[v] == 0, c[v] == 0);
      }
    }
    assertTrue(larger >= 5, "the tumour core grows in (nearly) every case: " + larger + " of 6");
    assertThrows(IllegalArgumentException.class, () -> new PhantomGenerator(demo, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new PhantomGenerator(demo, 1, Double.NaN));
  }

  /** Voxels of the whole tumour and of the tumour core (labels 1 and 4). */
  private static int[] counts(byte[] labels) {
    int[] n = new int[2];
    for (byte l : labels) {
      n[0] += l != 0 ? 1 : 0;
      n[1] += l == 1 || l == 4 ? 1 : 0;
    }
    return n;
  }

  @Test
  void brainIsNonZeroOnAZeroBackgroundWithIntegralInt16Intensities() {
    Phantom p = new PhantomGenerator(SMALL, 1).generate("c", 1);
    float[] t1 = p.modalities().channel(Modality.T1.channel());
    int brain = 0;
    for (int m = 0; m < 4; m++) {
      for (float v : p.modalities().channel(m)) {
        assertTrue(v >= 0 && v <= 32767 && v == Math.rint(v), "value " + v);
      }
    }
    for (int i = 0; i < t1.length; i++) {
      boolean inBrain = t1[i] != 0;
      brain += inBrain ? 1 : 0;
      for (int m = 1; m < 4; m++) {
        assertEquals(inBrain, p.modalities().channel(m)[i] != 0, "all modalities share the mask");
      }
      if (!inBrain) {
        assertEquals(0, p.seg().labels()[i], "no tumor outside the brain");
      }
    }
    double fraction = brain / (double) t1.length;
    assertTrue(fraction > 0.15 && fraction < 0.5, "brain fraction " + fraction);
    assertEquals(0f, t1[0], "corner is background");
  }

  @Test
  void labelsAreBrats2020AndTumorIsPresent() {
    int withoutEnhancing = 0;
    int cases = 40;
    Dims tiny = new Dims(32, 32, 24);
    for (int i = 1; i <= cases; i++) {
      Phantom p = new PhantomGenerator(tiny, 11).generate("c", i);
      int[] count = new int[256];
      for (byte b : p.seg().labels()) {
        count[b & 0xFF]++;
      }
      assertEquals(0, count[3], "label 3 is not used in the 2020 scheme");
      for (int l = 5; l < 256; l++) {
        assertEquals(0, count[l]);
      }
      assertTrue(count[2] > 0, "edema present in case " + i);
      assertTrue(count[1] + count[4] > 0, "core present in case " + i);
      withoutEnhancing += count[4] == 0 ? 1 : 0;
    }
    assertTrue(withoutEnhancing >= 2 && withoutEnhancing <= 16, "no-ET cases: " + withoutEnhancing);
  }

  @Test
  void enhancingTumorIsBrightOnT1GdAndEdemaBrightOnFlair() {
    Phantom p = null;
    for (int i = 1; p == null; i++) {
      Phantom c = new PhantomGenerator(SMALL, 5).generate("c", i);
      if (mean(c, Modality.T1GD, 4) > 0) {
        p = c;
      }
    }
    assertTrue(mean(p, Modality.T1GD, 4) > 1.4 * mean(p, Modality.T1GD, 0));
    assertTrue(mean(p, Modality.T1GD, 1) < mean(p, Modality.T1GD, 0));
    assertTrue(mean(p, Modality.FLAIR, 2) > 1.15 * mean(p, Modality.FLAIR, 0));
  }

  @Test
  void noSingleThresholdOnOneChannelSegmentsTheWholeTumor() {
    Phantom p = new PhantomGenerator(new Dims(96, 96, 64), 3).generate("c", 2);
    byte[] seg = p.seg().labels();
    for (int m = 0; m < 4; m++) {
      float[] v = p.modalities().channel(m);
      double best = 0;
      for (int t = 100; t < 2000; t += 10) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < v.length; i++) {
          boolean pred = v[i] > t;
          boolean gt = seg[i] != 0;
          tp += pred && gt ? 1 : 0;
          fp += pred && !gt ? 1 : 0;
          fn += !pred && gt ? 1 : 0;
        }
        best = Math.max(best, 2.0 * tp / (2.0 * tp + fp + fn));
      }
      assertTrue(best < 0.8, "channel " + m + " alone reaches WT Dice " + best);
    }
  }

  private static double mean(Phantom p, Modality m, int label) {
    float[] v = p.modalities().channel(m.channel());
    double sum = 0;
    int n = 0;
    for (int i = 0; i < v.length; i++) {
      if ((p.seg().labels()[i] & 0xFF) == label && v[i] != 0) {
        sum += v[i];
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }
}
