package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void interpolatesLinearlyAtPositionQTimesNMinusOne() {
    double[] v = {1, 2, 3, 4};
    // position 0.95 * 3 = 2.85: 3 + 0.85 * (4 - 3)
    assertEquals(3.85, Percentiles.linear(v, 0.95), 1e-12);
    assertEquals(2.5, Percentiles.linear(v, 0.5), 0);
    // position 0.75: 1 + 0.75
    assertEquals(1.75, Percentiles.linear(v, 0.25), 0);
    assertEquals(1, Percentiles.linear(v, 0), 0);
    assertEquals(4, Percentiles.linear(v, 1), 0);
  }

  @Test
  void singleValueIsEveryQuantile() {
    assertEquals(7, Percentiles.linear(new double[] {7}, 0.95), 0);
    assertEquals(7, Percentiles.linearInPlace(new double[] {7}, 1, 0.3), 0);
  }

  @Test
  void matchesNumpyOnUnevenGaps() {
    // np.percentile([0, 10, 11, 30, 100], 95) = 86.0 (position 3.8: 30 + 0.8 * 70)
    assertEquals(86.0, Percentiles.linear(new double[] {0, 10, 11, 30, 100}, 0.95), 1e-12);
    // np.percentile([0, 10, 11, 30, 100], 25) = 10.0 (position 1 exactly)
    assertEquals(10.0, Percentiles.linear(new double[] {0, 10, 11, 30, 100}, 0.25), 0);
  }

  @Test
  void selectionGivesTheSameAsSortingForRandomData() {
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      int n = 1 + rnd.nextInt(500);
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        // few distinct values: many ties exercise the partition
        v[i] = rnd.nextInt(1 + n / 4) * 0.5;
      }
      double[] sorted = v.clone();
      Arrays.sort(sorted);
      for (double q : new double[] {0, 0.01, 0.25, 0.5, 0.75, 0.95, 0.99, 1}) {
        double expected = Percentiles.linear(sorted, q);
        assertEquals(expected, Percentiles.linearInPlace(v.clone(), n, q), 0, "seed " + seed);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = (float) v[i];
        }
        assertEquals(expected, Percentiles.linearOfUnsorted(f, q), 1e-9, "seed " + seed);
      }
    }
  }

  @Test
  void unsortedVariantsLeaveTheirInputAlone() {
    float[] f = {5, 1, 4, 2, 3};
    assertEquals(3, Percentiles.linearOfUnsorted(f, 0.5), 0);
    assertEquals(5f, f[0]);
    double[] d = {5, 1, 4, 2, 3};
    assertEquals(4.8, Percentiles.linearOfUnsorted(d, 0.95), 1e-12);
    assertEquals(5.0, d[0]);
  }

  @Test
  void rejectsPercentInsteadOfFractionAndEmptyInput() {
    assertThrows(IllegalArgumentException.class, () -> Percentiles.linear(new double[] {1}, 95));
    assertThrows(IllegalArgumentException.class, () -> Percentiles.linear(new double[0], 0.5));
  }
}
