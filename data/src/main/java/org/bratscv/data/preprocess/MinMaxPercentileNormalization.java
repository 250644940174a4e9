package org.bratscv.data.preprocess;

import org.bratscv.data.metrics.Percentiles;

/**
 * Pipeline A's normalisation: clip to the [1st, 99th] percentile of the modality's non-zero voxels,
 * then min-max scale to [0, 1].
 *
 * <p>This follows the reference implementation ({@code irm_min_max_preprocess} of Henry et al.)
 * step by step:
 *
 * <ol>
 *   <li>the percentiles are taken over the voxels that are strictly positive (the reference's
 *       {@code image > 0}; MRI intensities are non-negative, so these are the non-zero voxels),
 *       with numpy's default linear interpolation at position {@code q * (n - 1)};
 *   <li>the WHOLE image is clipped to [low, high], so background zeros become {@code low};
 *   <li>the clipped image is min-max scaled with its own min and max. These are {@code low} and
 *       {@code high} whenever there is any background or any voxel at or below {@code low}, so the
 *       background maps to 0 and bright outliers to 1.
 * </ol>
 *
 * Arithmetic is in double, results are stored as float.
 *
 * <p>Degenerate inputs: a modality with no positive voxel (all zero) has no percentiles and is an
 * error. When the clipped image is constant (every positive voxel equal, or more than 98% of them
 * sharing one value, so that low = high) the reference would divide 0 by 0; here the result is all
 * zeros, the convention of min-max scalers for a feature without spread.
 *
 * @param lowPercentile lower clipping percentile, in percent (paper: 1)
 * @param highPercentile upper clipping percentile, in percent (paper: 99)
 */
public record MinMaxPercentileNormalization(double lowPercentile, double highPercentile)
    implements IntensityNormalization {

  /** The paper's setting: clip to [1st, 99th] percentile. */
  public static final MinMaxPercentileNormalization PAPER =
      new MinMaxPercentileNormalization(1, 99);

  public MinMaxPercentileNormalization {
    if (!(lowPercentile >= 0 && lowPercentile <= highPercentile && highPercentile <= 100)) {
      throw new IllegalArgumentException(
          "percentiles must satisfy 0 <= low <= high <= 100, got "
              + lowPercentile
              + " and "
              + highPercentile);
    }
  }

  /** The clipping bounds {low, high} of {@code voxels}: percentiles of the positive voxels. */
  public double[] clipBounds(float[] voxels) {
    int n = 0;
    for (int i = 0; i < voxels.length; i++) {
      float v = voxels[i];
      if (v > 0) {
        n++;
      }
      if (!Float.isFinite(v)) { // one pass: check and count
        IntensityNormalization.requireFinite(voxels);
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException(
          "no positive voxel among " + voxels.length + " (all-zero modality): no percentiles");
    }
    float[] work = new float[n];
    int j = 0;
    for (float v : voxels) {
      if (v > 0) {
        work[j++] = v;
      }
    }
    // both selections reorder the same scratch copy; each leaves it a permutation of the values
    return new double[] {
      Percentiles.linearInPlace(work, n, lowPercentile / 100),
      Percentiles.linearInPlace(work, n, highPercentile / 100)
    };
  }

  @Override
  public float[] apply(float[] voxels) {
    double[] bounds = clipBounds(voxels);
    double low = bounds[0];
    double high = bounds[1];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float v : voxels) {
      double c = clip(v, low, high);
      min = Math.min(min, c);
      max = Math.max(max, c);
    }
    float[] out = new float[voxels.length];
    double range = max - min;
    if (range == 0) {
      return out;
    }
    for (int i = 0; i < voxels.length; i++) {
      out[i] = (float) ((clip(voxels[i], low, high) - min) / range);
    }
    return out;
  }

  private static double clip(double v, double low, double high) {
    return v < low ? low : (v > high ? high : v);
  }
}
