package org.bratscv.data.preprocess;

import org.bratscv.data.volume.MultiChannelVolume;

/**
 * A per-modality intensity normalisation, applied to each channel of a case independently (the
 * first step of preprocessing, before the brain crop). Implementations are pure: they return new
 * arrays and keep no state.
 */
public sealed interface IntensityNormalization
    permits MinMaxPercentileNormalization, ZScoreNormalization {

  /**
   * The normalised copy of one modality's voxels.
   *
   * @throws IllegalArgumentException when the modality holds NaN or infinite values, or has no
   *     voxel the normalisation can take statistics from (all zero)
   */
  float[] apply(float[] voxels);

  /** Normalises every channel on its own; the geometry is kept. */
  default MultiChannelVolume apply(MultiChannelVolume volume) {
    float[][] out = new float[volume.channelCount()][];
    for (int c = 0; c < out.length; c++) {
      try {
        out[c] = apply(volume.channel(c));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("channel " + c + ": " + e.getMessage(), e);
      }
    }
    return new MultiChannelVolume(volume.geometry(), out);
  }

  /** Fails on the first NaN or infinite voxel, naming its index. */
  static void requireFinite(float[] voxels) {
    for (int i = 0; i < voxels.length; i++) {
      if (!Float.isFinite(voxels[i])) {
        throw new IllegalArgumentException(
            "voxel " + i + " is " + voxels[i] + "; intensities must be finite");
      }
    }
  }
}
