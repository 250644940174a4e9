package org.bratscv.data.augment;

import org.bratscv.data.preprocess.TrainingPatch;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.MultiChannelVolume;

/** Small hand-built training patches. */
final class Patches {
  private Patches() {}

  /** Image channel c holds (c + 1) * (index + 1); target channel c holds index + 1 + 1000 c. */
  static TrainingPatch ramps(Dims d, int imageChannels, int targetChannels) {
    int n = d.voxels();
    float[][] img = new float[imageChannels][n];
    float[][] tgt = new float[targetChannels][n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < imageChannels; c++) {
        img[c][i] = (c + 1) * (i + 1);
      }
      for (int c = 0; c < targetChannels; c++) {
        tgt[c][i] = i + 1 + 1000 * c;
      }
    }
    Geometry g = Geometry.isotropic(d);
    return new TrainingPatch(new MultiChannelVolume(g, img), new MultiChannelVolume(g, tgt));
  }

  static float[][] copy(MultiChannelVolume v) {
    float[][] out = new float[v.channelCount()][];
    for (int c = 0; c < out.length; c++) {
      out[c] = v.channel(c).clone();
    }
    return out;
  }
}
