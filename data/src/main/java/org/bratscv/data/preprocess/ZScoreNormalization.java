package org.bratscv.data.preprocess;

/**
 * Pipeline B's normalisation: z-score with the mean and standard deviation of the non-zero voxels
 * (population std, ddof = 0, as numpy's {@code np.std}); non-zero voxels become {@code (v - mean) /
 * std} and zero voxels stay exactly 0, as the reference's {@code zscore_normalise}.
 *
 * <p>Statistics are computed in double with two passes (mean, then squared deviations), which is as
 * accurate as numpy's pairwise summation for these sizes.
 *
 * <p>Degenerate inputs: a modality with no non-zero voxel is an error; a modality whose non-zero
 * voxels all share one value (std = 0, where numpy would give 0/0 = NaN) becomes all zeros.
 */
public record ZScoreNormalization() implements IntensityNormalization {

  /** The paper's (parameterless) setting. */
  public static final ZScoreNormalization PAPER = new ZScoreNormalization();

  /** {mean, std} of the non-zero voxels. */
  public double[] meanAndStd(float[] voxels) {
    IntensityNormalization.requireFinite(voxels);
    long n = 0;
    double sum = 0;
    for (float v : voxels) {
      if (v != 0) {
        n++;
        sum += v;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException(
          "no non-zero voxel among " + voxels.length + " (all-zero modality): no z-score");
    }
    double mean = sum / n;
    double squares = 0;
    for (float v : voxels) {
      if (v != 0) {
        double d = v - mean;
        squares += d * d;
      }
    }
    return new double[] {mean, Math.sqrt(squares / n)};
  }

  @Override
  public float[] apply(float[] voxels) {
    double[] ms = meanAndStd(voxels);
    double mean = ms[0];
    double std = ms[1];
    float[] out = new float[voxels.length];
    if (std == 0) {
      return out;
    }
    for (int i = 0; i < voxels.length; i++) {
      float v = voxels[i];
      out[i] = v == 0 ? 0f : (float) ((v - mean) / std);
    }
    return out;
  }
}
