package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class SquaredDistanceTransformTest {

  private static double[] transform(boolean[] features, Dims d, double[] spacing) {
    double[] g = new double[features.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = features[i] ? 0 : Double.POSITIVE_INFINITY;
    }
    new SquaredDistanceTransform().transform(g, d, spacing);
    return g;
  }

  @Test
  void singleFeatureGivesSquaredAnisotropicDistance() {
    Dims d = new Dims(5, 4, 3);
    boolean[] f = new boolean[60];
    f[d.index(1, 2, 0)] = true;
    double[] g = transform(f, d, new double[] {1, 2, 3});
    // (4-1)^2 * 1 + (0-2)^2 * 4 + (2-0)^2 * 9 = 9 + 16 + 36
    assertEquals(61, g[d.index(4, 0, 2)], 0);
    assertEquals(0, g[d.index(1, 2, 0)], 0);
  }

  @Test
  void noFeatureLeavesEverythingInfinite() {
    Dims d = new Dims(3, 3, 3);
    double[] g = transform(new boolean[27], d, new double[] {1, 1, 1});
    for (double v : g) {
      assertEquals(Double.POSITIVE_INFINITY, v);
    }
  }

  @Test
  void matchesBruteForceOnRandomMasksWithAnisotropicSpacing() {
    double[][] spacings = {{1, 1, 1}, {1, 1, 3}, {0.9375, 1.2, 2.5}, {3, 0.5, 1}};
    for (long seed = 1; seed <= 12; seed++) {
      Random rnd = new Random(seed);
      Dims d = new Dims(3 + rnd.nextInt(12), 1 + rnd.nextInt(12), 1 + rnd.nextInt(10));
      double[] sp = spacings[(int) (seed % spacings.length)];
      boolean[] f = BruteForce.randomNoise(d, rnd, rnd.nextDouble() * 0.08);
      double[] expected = BruteForce.squaredDistances(f, d, sp);
      double[] actual = transform(f, d, sp);
      for (int i = 0; i < f.length; i++) {
        if (Double.isInfinite(expected[i])) {
          assertEquals(expected[i], actual[i], "seed " + seed + " voxel " + i);
        } else {
          assertEquals(expected[i], actual[i], 1e-9 * (1 + expected[i]), "seed " + seed);
        }
      }
    }
  }

  @Test
  void scratchIsReusedAcrossCallsOfDifferentSizes() {
    SquaredDistanceTransform t = new SquaredDistanceTransform();
    Random rnd = new Random(7);
    for (int k = 0; k < 5; k++) {
      Dims d = new Dims(2 + rnd.nextInt(20), 2 + rnd.nextInt(6), 2 + rnd.nextInt(6));
      boolean[] f = BruteForce.randomNoise(d, rnd, 0.05);
      f[0] = true;
      double[] g = new double[f.length + 10]; // longer than needed: only the prefix is used
      for (int i = 0; i < g.length; i++) {
        g[i] = i < f.length && f[i] ? 0 : Double.POSITIVE_INFINITY;
      }
      t.transform(g, d, new double[] {1, 1.5, 2});
      double[] expected = BruteForce.squaredDistances(f, d, new double[] {1, 1.5, 2});
      for (int i = 0; i < f.length; i++) {
        assertEquals(expected[i], g[i], 1e-9 * (1 + expected[i]));
      }
      assertTrue(Double.isInfinite(g[f.length]));
    }
  }
}
