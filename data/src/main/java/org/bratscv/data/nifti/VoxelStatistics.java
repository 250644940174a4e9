package org.bratscv.data.nifti;

/**
 * Summary of an image's scaled voxel values in double precision, as {@code brats-cv inspect}
 * reports them. NaN voxels are counted and left out of min, max, sum and mean (which are NaN when
 * every voxel is NaN), so one NaN does not hide the rest of the image.
 */
public record VoxelStatistics(
    long count, long nanCount, long nonzeroCount, double min, double max, double sum) {

  /** Mean over the non-NaN voxels. */
  public double mean() {
    long n = count - nanCount;
    return n == 0 ? Double.NaN : sum / n;
  }

  /**
   * Statistics of {@code values}. The sum uses Neumaier's compensated summation, so it matches
   * numpy's pairwise {@code sum()} to about 1e-15 relative (exactly for integer data below 2^53).
   */
  public static VoxelStatistics of(double[] values) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    double compensation = 0;
    long nan = 0;
    long nonzero = 0;
    for (double v : values) {
      if (Double.isNaN(v)) {
        nan++;
        continue;
      }
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
      if (v != 0) {
        nonzero++;
      }
      double t = sum + v;
      compensation += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
      sum = t;
    }
    if (nan == values.length) {
      return new VoxelStatistics(values.length, nan, 0, Double.NaN, Double.NaN, Double.NaN);
    }
    // with an infinite voxel the compensation is NaN (inf - inf); the plain sum is the answer
    double total = Double.isFinite(sum) ? sum + compensation : sum;
    return new VoxelStatistics(values.length, nan, nonzero, min, max, total);
  }
}
