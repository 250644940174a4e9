package org.bratscv.data.metrics;

import org.bratscv.data.labels.LabelScheme;

/**
 * The conventions of a BraTS evaluation that the metric definitions leave open: what HD95 is when
 * exactly one of the two masks is empty. (Both empty is always Dice 1, HD95 0.) BraTS 2020/2021 use
 * the image diagonal, sqrt(240² + 240² + 155²) = 373.13 mm; the 2023 evaluation uses 374.
 *
 * @param emptyHd95 HD95 in mm when exactly one of prediction and ground truth is empty
 */
public record MetricConventions(double emptyHd95) {
  /** BraTS 2020/2021: 373.13 mm. */
  public static final MetricConventions BRATS2020 = new MetricConventions(373.13);

  /** BraTS 2023 and later: 374 mm. */
  public static final MetricConventions BRATS2023 = new MetricConventions(374);

  public MetricConventions {
    if (!(emptyHd95 >= 0) || Double.isInfinite(emptyHd95)) {
      throw new IllegalArgumentException(
          "emptyHd95 must be a finite non-negative distance in mm, got " + emptyHd95);
    }
  }

  /**
   * The conventions of the evaluation that goes with an edition's labels: 374 from 2023 on; BraTS
   * 2020's for every other numbering (MSD, nnU-Net), whose data sets come from BraTS 2016-2021.
   */
  public static MetricConventions forScheme(LabelScheme scheme) {
    return scheme.equals(LabelScheme.BRATS2023) || scheme.equals(LabelScheme.BRATS2024)
        ? BRATS2023
        : BRATS2020;
  }

  /** The default, {@link #BRATS2020}. */
  public static MetricConventions defaults() {
    return BRATS2020;
  }
}
