package org.bratscv.data.preprocess;

import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/** Small hand-built volumes for tests. */
final class Volumes {
  private Volumes() {}

  static MultiChannelVolume channels(Dims d, float[]... channels) {
    return new MultiChannelVolume(Geometry.isotropic(d), channels);
  }

  /** A volume whose voxel value is its linear index + 1 (so every voxel is distinguishable). */
  static float[] ramp(Dims d) {
    float[] v = new float[d.voxels()];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 1;
    }
    return v;
  }

  static LabelVolume labels(Dims d, byte[] l) {
    return new LabelVolume(Geometry.isotropic(d), l);
  }
}
