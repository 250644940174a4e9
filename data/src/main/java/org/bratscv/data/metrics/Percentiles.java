package org.bratscv.data.metrics;

import java.util.Arrays;

/**
 * Quantiles with linear interpolation between order statistics, bit for bit as numpy's default
 * ({@code np.percentile(a, 100 * q)}, method "linear", Hyndman and Fan type 7): the value sits at
 * position {@code q * (n - 1)} of the sorted data. Used by HD95 (the 95th percentile of surface
 * distances), by the summary rows (median and quartiles) and by intensity clipping.
 *
 * <p>{@code q} is always a fraction in [0, 1] (0.95, not 95). NaN values are not allowed: callers
 * leave them out first.
 */
public final class Percentiles {
  private Percentiles() {}

  /**
   * The {@code q}-quantile of {@code sortedValues}, which must be sorted ascending and non-empty.
   */
  public static double linear(double[] sortedValues, double q) {
    return linear(sortedValues, sortedValues.length, q);
  }

  /** As {@link #linear(double[], double)} over the first {@code n} (sorted) values. */
  public static double linear(double[] sortedValues, int n, double q) {
    checkQ(q);
    if (n <= 0) {
      throw new IllegalArgumentException("cannot take a quantile of no values");
    }
    double position = (n - 1) * q;
    int lo = (int) Math.floor(position);
    if (lo >= n - 1) {
      return sortedValues[n - 1];
    }
    return lerp(sortedValues[lo], sortedValues[lo + 1], position - lo);
  }

  /**
   * The {@code q}-quantile of the first {@code n} values of {@code values} found by selection (no
   * full sort). The values are reordered in place; pass a scratch copy when the order matters.
   */
  public static double linearInPlace(double[] values, int n, double q) {
    checkQ(q);
    if (n <= 0) {
      throw new IllegalArgumentException("cannot take a quantile of no values");
    }
    double position = (n - 1) * q;
    int lo = (int) Math.floor(position);
    if (lo >= n - 1) {
      lo = n - 1;
      select(values, n, lo);
      return values[lo];
    }
    select(values, n, lo);
    // After selection every value right of lo is >= values[lo]: the next order statistic is
    // their minimum.
    double next = values[lo + 1];
    for (int i = lo + 2; i < n; i++) {
      if (values[i] < next) {
        next = values[i];
      }
    }
    return lerp(values[lo], next, position - lo);
  }

  /**
   * The {@code q}-quantile of the first {@code n} values of {@code values} found by selection. The
   * values are reordered in place. Computed in double precision (numpy keeps float32 for float32
   * input, so results may differ from numpy's in the last float32 bit).
   */
  public static double linearInPlace(float[] values, int n, double q) {
    checkQ(q);
    if (n <= 0) {
      throw new IllegalArgumentException("cannot take a quantile of no values");
    }
    double position = (n - 1) * q;
    int lo = (int) Math.floor(position);
    if (lo >= n - 1) {
      lo = n - 1;
      select(values, n, lo);
      return values[lo];
    }
    select(values, n, lo);
    float next = values[lo + 1];
    for (int i = lo + 2; i < n; i++) {
      if (values[i] < next) {
        next = values[i];
      }
    }
    return lerp(values[lo], next, position - lo);
  }

  /** The {@code q}-quantile of unsorted {@code values}, left untouched (works on a copy). */
  public static double linearOfUnsorted(float[] values, double q) {
    return linearInPlace(Arrays.copyOf(values, values.length), values.length, q);
  }

  /** The {@code q}-quantile of unsorted {@code values}, left untouched (works on a copy). */
  public static double linearOfUnsorted(double[] values, double q) {
    return linearInPlace(Arrays.copyOf(values, values.length), values.length, q);
  }

  /** numpy's {@code _lerp}: the two-sided form keeps the result exact at both ends. */
  static double lerp(double a, double b, double t) {
    double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }

  private static void checkQ(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be a fraction in [0, 1], got " + q);
    }
  }

  /** Hoare-style quickselect: afterwards values[k] is the k-th smallest, smaller ones left. */
  private static void select(double[] a, int n, int k) {
    int left = 0;
    int right = n - 1;
    while (right > left) {
      // Median of three keeps sorted and constant inputs fast.
      int mid = (left + right) >>> 1;
      if (a[mid] < a[left]) {
        swap(a, mid, left);
      }
      if (a[right] < a[left]) {
        swap(a, right, left);
      }
      if (a[right] < a[mid]) {
        swap(a, right, mid);
      }
      double pivot = a[mid];
      int i = left;
      int j = right;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(a, i, j);
          i++;
          j--;
        }
      }
      if (k <= j) {
        right = j;
      } else if (k >= i) {
        left = i;
      } else {
        return;
      }
    }
  }

  private static void select(float[] a, int n, int k) {
    int left = 0;
    int right = n - 1;
    while (right > left) {
      int mid = (left + right) >>> 1;
      if (a[mid] < a[left]) {
        swap(a, mid, left);
      }
      if (a[right] < a[left]) {
        swap(a, right, left);
      }
      if (a[right] < a[mid]) {
        swap(a, right, mid);
      }
      float pivot = a[mid];
      int i = left;
      int j = right;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(a, i, j);
          i++;
          j--;
        }
      }
      if (k <= j) {
        right = j;
      } else if (k >= i) {
        left = i;
      } else {
        return;
      }
    }
  }

  private static void swap(double[] a, int i, int j) {
    double t = a[i];
    a[i] = a[j];
    a[j] = t;
  }

  private static void swap(float[] a, int i, int j) {
    float t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
