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
    long tn) {

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
    return new RegionMetrics(region, dice, hd95, sensitivity, specificity, tp, fp, fn, tn);
  }

  /** The value of {@code metric}. */
  public double get(Metric metric) {
    return metric.of(this);
  }
}
