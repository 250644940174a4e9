package org.bratscv.data.uncertainty;

import java.util.EnumMap;
import java.util.Map;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * The ensemble's uncertainty per region, as the BraTS 2020 uncertainty task wants it: an integer
 * 0..100 per voxel, 0 = certain, on the labelmap's geometry.
 *
 * <p>The measure is the binary entropy of the ensemble's averaged probability {@code p} of the
 * region, in bits, times 100, rounded: {@code round(100 * H(p))}, {@code H(p) = -p log2 p - (1-p)
 * log2 (1-p)}. It is 0 where every member and augmentation agrees with certainty (p = 0 or 1) and
 * 100 at p = 0.5, where the thresholded label is a coin toss; it rises with disagreement between
 * members as well as with each member's own doubt, since the average of confident but disagreeing
 * members lands near 0.5. The mapping is monotone in {@code |p - 0.5|}, so filtering voxels above
 * an uncertainty threshold removes exactly the voxels whose probability is nearest the 0.5 decision
 * boundary first, which is what the task's score rewards (the uncertain voxels should be the wrong
 * ones).
 */
public final class UncertaintyMaps {
  /** The largest value of a map: maximal uncertainty. */
  public static final int MAX = 100;

  private UncertaintyMaps() {}

  /** {@code round(100 * H(p))} for one probability; NaN is refused. */
  public static int of(double p) {
    if (!(p >= -1e-6 && p <= 1 + 1e-6)) {
      throw new IllegalArgumentException("probability " + p + " is not in [0, 1]");
    }
    double q = Math.min(1, Math.max(0, p));
    if (q == 0 || q == 1) {
      return 0;
    }
    double h = -(q * Math.log(q) + (1 - q) * Math.log(1 - q)) / Math.log(2);
    return (int) Math.round(MAX * h);
  }

  /**
   * The three maps of an averaged ET/TC/WT probability volume (channels in {@link Region} order),
   * as uint8 volumes on the probabilities' geometry.
   */
  public static Map<Region, LabelVolume> of(MultiChannelVolume probabilities) {
    if (probabilities.channelCount() != Region.values().length) {
      throw new IllegalArgumentException(
          "uncertainty needs the 3 region probabilities (ET, TC, WT), got "
              + probabilities.channelCount()
              + " channels");
    }
    Map<Region, LabelVolume> out = new EnumMap<>(Region.class);
    for (Region r : Region.values()) {
      float[] p = probabilities.channel(r.channel());
      byte[] u = new byte[p.length];
      for (int i = 0; i < p.length; i++) {
        u[i] = (byte) of(p[i]);
      }
      out.put(r, new LabelVolume(probabilities.geometry(), u));
    }
    return out;
  }

  /** The BraTS file-name word of a region's map: {@code whole}, {@code core}, {@code enhance}. */
  public static String fileWord(Region region) {
    return switch (region) {
      case WT -> "whole";
      case TC -> "core";
      case ET -> "enhance";
    };
  }
}
