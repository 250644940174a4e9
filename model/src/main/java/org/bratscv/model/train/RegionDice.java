package org.bratscv.model.train;

/**
 * Hard Dice of one region channel for validation monitoring: prediction thresholded at 0.5 against
 * a 0/1 target, with the BraTS convention for empty masks (both empty: 1; only one empty: 0). The
 * evaluation stage uses the full metrics of the data module; this is the training-time monitor.
 */
public final class RegionDice {

  private RegionDice() {}

  /** Dice of channel {@code channel} of (R, voxels)-shaped flat arrays. */
  public static double of(float[] probabilities, float[] target, int channel, int voxels) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    int offset = channel * voxels;
    for (int i = offset; i < offset + voxels; i++) {
      boolean p = probabilities[i] > 0.5f;
      boolean t = target[i] > 0.5f;
      if (p && t) {
        tp++;
      } else if (p) {
        fp++;
      } else if (t) {
        fn++;
      }
    }
    if (tp + fp + fn == 0) {
      return 1.0;
    }
    return 2.0 * tp / (2.0 * tp + fp + fn);
  }
}
