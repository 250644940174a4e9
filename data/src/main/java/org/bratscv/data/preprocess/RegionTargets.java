package org.bratscv.data.preprocess;

import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * The network's training targets: a labelmap turned into three binary channels (float 0/1) in
 * {@link Region} order ET, TC, WT, using the label scheme's region definitions (e.g. BraTS 2020: ET
 * = {4}, TC = {1, 4}, WT = {1, 2, 4}; labels outside every region, like 2024's resection cavity,
 * are 0 in all three).
 */
public final class RegionTargets {
  private RegionTargets() {}

  /** The ET, TC, WT channels of {@code labels} on its geometry. */
  public static MultiChannelVolume of(LabelVolume labels, LabelScheme scheme) {
    byte[] l = labels.labels();
    Region[] regions = Region.values();
    float[][] out = new float[regions.length][l.length];
    for (Region r : regions) {
      boolean[] in = scheme.regionTable(r);
      float[] ch = out[r.channel()];
      for (int i = 0; i < l.length; i++) {
        if (in[l[i] & 0xFF]) {
          ch[i] = 1f;
        }
      }
    }
    return new MultiChannelVolume(labels.geometry(), out);
  }
}
