package org.bratscv.data.metrics;

import org.bratscv.data.labels.Region;

/**
 * One case's scores for one region, with the voxel counts they come from. Counts cover every voxel
 * of the volume.
 *
 * @param dice 2TP / (2TP + FP + FN); 1 when both masks are empty
 * @param hd95 95th-percentile Hausdorff distance in mm (see {@link HausdorffDistance95})
 * @param sensitivity TP / (TP + FN); NaN when the ground truth is empty
 * @param specificity TN / (TN + FP); NaN when the ground truth covers the whole volume
 * @param lesionwiseDice lesion-wise Dice ({@link LesionWiseScorer}); NaN when not scored
 * @param lesionwiseHd95 lesion-wise HD95 in mm; NaN when not scored
 */
public record RegionMetrics(
    Region region,
    double dice,
    double hd95,
    double sensitivity,
    double specificity,
    long tp,
    long fp,
    long fn,
    long tn,
    double lesionwiseDice,
    double lesionwiseHd95) {

  /** Derives Dice, sensitivity and specificity from the confusion counts. */
  public static RegionMetrics of(Region region, long tp, long fp, long fn, long tn, double hd95) {
    if (tp < 0 || fp < 0 || fn < 0 || tn < 0) {
      throw new IllegalArgumentException(
          "confusion counts must be non-negative, got tp="
              + tp
              + " fp="
              + fp
              + " fn="
              + fn
              + " tn="
              + tn);
    }
    long diceDenominator = 2 * tp + fp + fn;
    double dice = diceDenominator == 0 ? 1.0 : 2.0 * tp / diceDenominator;
    double sensitivity = tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
    double specificity = tn + fp == 0 ? Double.NaN : (double) tn / (tn + fp);
    return new RegionMetrics(
        region, dice, hd95, sensitivity, specificity, tp, fp, fn, tn, Double.NaN, Double.NaN);
  }

  /**
   * The scores of the BraTS 2023+ evaluation: Dice as {@link #of}; sensitivity 1 when both masks
   * are empty and 0 when only the prediction has voxels, specificity 0 when the ground truth covers
   * the whole volume (its code divides by the count plus the smallest double); the lesion-wise
   * scores added.
   */
  public static RegionMetrics ofBrats2023(
      Region region, long tp, long fp, long fn, long tn, double hd95, LesionWiseScores lesions) {
    RegionMetrics m = of(region, tp, fp, fn, tn, hd95);
    double sensitivity = tp + fn == 0 ? (fp == 0 ? 1.0 : 0.0) : m.sensitivity();
    double specificity = tn + fp == 0 ? 0.0 : m.specificity();
    return new RegionMetrics(
        region,
        m.dice(),
        hd95,
        sensitivity,
        specificity,
        tp,
        fp,
        fn,
        tn,
        lesions.dice(),
        lesions.hd95());
  }

  /** The value of {@code metric}. */
  public double get(Metric metric) {
    return metric.of(this);
  }
}
