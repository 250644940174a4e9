package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantilesTest {
  @Test
  void medianOfFourValuesInterpolatesHalfway() {
    float[] v = {4, 1, 3, 2};
    assertArrayEquals(new double[] {2.5}, Quantiles.linear(v, 4, 0.5), 0);
  }

  @Test
  void firstAndLastPercentileOf1To101AreTheSecondAndHundredthValue() {
    float[] v = new float[101];
    for (int i = 0; i < v.length; i++) {
      v[i] = 101 - i;
    }
    // position 0.01 * 100 = 1 -> value 2; 0.99 * 100 = 99 -> value 100.
    assertArrayEquals(new double[] {2, 100}, Quantiles.linear(v, 101, 0.01, 0.99), 0);
  }

  @Test
  void unorderedQuantilesAndRepeatedRanksAreAnswered() {
    float[] v = {5, 3, 9, 1, 7};
    // sorted 1 3 5 7 9: q=1 -> 9; q=0 -> 1; q=0.5 -> 5; q=0.55 -> pos 2.2 -> 5.4; q=0.5 again.
    double[] q = Quantiles.linear(v, 5, 1, 0, 0.5, 0.55, 0.5);
    assertArrayEquals(new double[] {9, 1, 5, 5.4, 5}, q, 1e-12);
  }

  @Test
  void singleValueIsEveryQuantile() {
    assertArrayEquals(new double[] {7, 7}, Quantiles.linear(new float[] {7}, 1, 0.01, 0.99), 0);
  }

  @Test
  void matchesASortedReferenceOnRandomDataWithManyTies() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rng.nextInt(3000);
      int distinct = 1 + rng.nextInt(50);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = trial % 2 == 0 ? rng.nextInt(distinct) : (float) rng.nextGaussian();
      }
      float[] sorted = v.clone();
      Arrays.sort(sorted);
      double[] qs = {0.01, 0.25, 0.5, 0.99, 0.999};
      double[] got = Quantiles.linear(v.clone(), n, qs);
      for (int i = 0; i < qs.length; i++) {
        double pos = qs[i] * (n - 1);
        int lo = (int) Math.floor(pos);
        double want = Quantiles.lerp(sorted[lo], sorted[Math.min(lo + 1, n - 1)], pos - lo);
        assertEquals(want, got[i], 0, "trial " + trial + " q " + qs[i]);
      }
    }
  }

  @Test
  void sortedAndReverseSortedInputsStayFast() {
    int n = 2_000_000;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    assertArrayEquals(
        new double[] {0.01 * (n - 1), 0.99 * (n - 1)}, Quantiles.linear(v, n, 0.01, 0.99), 1e-6);
    for (int i = 0; i < n; i++) {
      v[i] = n - i;
    }
    assertEquals(1 + 0.5 * (n - 1), Quantiles.linear(v, n, 0.5)[0], 1e-6);
  }

  @Test
  void emptyInputHasNoQuantile() {
    assertThrows(IllegalArgumentException.class, () -> Quantiles.linear(new float[0], 0, 0.5));
  }
}
