package org.bratscv.data.labels;

import org.bratscv.data.volume.LabelVolume;

/** Binary masks of the tumor regions (ET, TC, WT) of a labelmap, per the edition's labels. */
public final class RegionMasks {
  private RegionMasks() {}

  /** True where the voxel's label belongs to {@code region} under {@code scheme}. */
  public static boolean[] of(LabelVolume labels, Region region, LabelScheme scheme) {
    boolean[] table = scheme.regionTable(region);
    byte[] l = labels.labels();
    boolean[] out = new boolean[l.length];
    for (int i = 0; i < l.length; i++) {
      out[i] = table[l[i] & 0xFF];
    }
    return out;
  }
}
