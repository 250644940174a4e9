package org.bratscv.data.preprocess;

import java.util.Arrays;

/**
 * Percentiles by selection rather than a full sort: a 240x240x155 modality holds about 9 million
 * voxels, of which the brain is 1-3 million, and a percentile needs only two order statistics.
 * Interpolation is numpy's default ({@code method="linear"}): the q-quantile of n sorted values
 * sits at position {@code q * (n - 1)}, between the order statistics around it.
 */
final class Quantiles {
  /** Below this size a range is finished with a sort. */
  private static final int SMALL = 24;

  private Quantiles() {}

  /**
   * The quantiles {@code qs} (fractions in [0, 1]) of the first {@code n} values of {@code work},
   * with linear interpolation as numpy. {@code work} is reordered in place. Values must not be NaN.
   */
  static double[] linear(float[] work, int n, double... qs) {
    if (n <= 0) {
      throw new IllegalArgumentException("quantiles of an empty set are undefined");
    }
    Integer[] order = new Integer[qs.length];
    for (int i = 0; i < qs.length; i++) {
      if (!(qs[i] >= 0 && qs[i] <= 1)) {
        throw new IllegalArgumentException("quantile must be in [0, 1], got " + qs[i]);
      }
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(qs[a], qs[b]));
    double[] out = new double[qs.length];
    // Ranks are visited in ascending order. After selecting rank k, everything right of k is at
    // least work[k], so a later (larger) rank is searched for only in [left, n) = (k, n).
    int left = 0;
    for (int i : order) {
      double pos = qs[i] * (n - 1);
      int lo = (int) Math.floor(pos);
      int hi = Math.min(lo + 1, n - 1);
      if (lo >= left) {
        select(work, left, n, lo);
        left = lo + 1;
      }
      double a = work[lo];
      // The next order statistic is the minimum of what lies right of rank lo: one scan instead
      // of a second selection.
      double b = hi == lo ? a : min(work, left, n);
      out[i] = lerp(a, b, pos - lo);
    }
    return out;
  }

  /** numpy's {@code _lerp}: from the nearer end, so that t = 1 gives exactly b. */
  static double lerp(double a, double b, double t) {
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }

  /**
   * Moves the value of rank {@code k} (0-based, within [from, to)) to index {@code k}, smaller or
   * equal values before it and larger or equal after it. Three-way partitioning keeps the many
   * repeated intensities of integer MRI data cheap; a depth limit falls back to sorting the range
   * so that no input is quadratic (introselect).
   */
  static void select(float[] a, int from, int to, int k) {
    if (k < from || k >= to) {
      throw new IllegalArgumentException("rank " + k + " outside [" + from + ", " + to + ")");
    }
    int depth = 2 * (32 - Integer.numberOfLeadingZeros(to - from)) + 8;
    while (to - from > SMALL) {
      if (depth-- == 0) {
        Arrays.sort(a, from, to);
        return;
      }
      float p = medianOf3(a[from], a[(from + to) >>> 1], a[to - 1]);
      int lt = from;
      int i = from;
      int gt = to;
      while (i < gt) {
        float v = a[i];
        if (v < p) {
          a[i++] = a[lt];
          a[lt++] = v;
        } else if (v > p) {
          a[i] = a[--gt];
          a[gt] = v;
        } else {
          i++;
        }
      }
      if (k < lt) {
        to = lt;
      } else if (k >= gt) {
        from = gt;
      } else {
        return;
      }
    }
    Arrays.sort(a, from, to);
  }

  private static float min(float[] a, int from, int to) {
    float m = a[from];
    for (int i = from + 1; i < to; i++) {
      m = Math.min(m, a[i]);
    }
    return m;
  }

  private static float medianOf3(float x, float y, float z) {
    return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
  }
}
