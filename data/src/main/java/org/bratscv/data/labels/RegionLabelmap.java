package org.bratscv.data.labels;

import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * Turns the network's three region maps (ET, TC, WT probabilities, in {@link Region} channel order)
 * into a labelmap in the scheme's own label values, the last step of inference.
 *
 * <p>The rule is the reference implementation's: a voxel is in a region when its probability is
 * strictly greater than the threshold (0.5 by default); then labels are written in this order, each
 * overwriting the one before: ET -> the scheme's enhancing label (4, or 3 from 2023 on); TC and not
 * ET -> its NCR/NET label (1, MSD's 2); WT and not TC -> its edema label (2, MSD's 1); everything
 * else 0. For nested maps (ET inside TC inside WT) this is simply ET, NCR, ED. For the rare
 * non-nested voxel the order decides:
 *
 * <pre>
 *  ET TC WT | label        ET TC WT | label
 *   0  0  0 | 0             1  0  0 | ET
 *   0  0  1 | 2             1  0  1 | 2   (edema written last)
 *   0  1  0 | 1             1  1  0 | ET
 *   0  1  1 | 1             1  1  1 | ET
 * </pre>
 */
public final class RegionLabelmap {
  /** Probability above which a voxel belongs to a region. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  private RegionLabelmap() {}

  /** Labelmap of a three-channel (ET, TC, WT) probability volume, on the same geometry. */
  public static LabelVolume fromProbabilities(
      MultiChannelVolume probabilities, LabelScheme scheme, double threshold) {
    if (probabilities.channelCount() != 3) {
      throw new IllegalArgumentException(
          "region probabilities need 3 channels (ET, TC, WT), got " + probabilities.channelCount());
    }
    return fromProbabilities(
        probabilities.channel(Region.ET.channel()),
        probabilities.channel(Region.TC.channel()),
        probabilities.channel(Region.WT.channel()),
        probabilities.geometry(),
        scheme,
        threshold);
  }

  /** As above with the default threshold 0.5. */
  public static LabelVolume fromProbabilities(
      MultiChannelVolume probabilities, LabelScheme scheme) {
    return fromProbabilities(probabilities, scheme, DEFAULT_THRESHOLD);
  }

  /** Labelmap from the three region maps given separately, each laid out as {@code geometry}. */
  public static LabelVolume fromProbabilities(
      float[] et, float[] tc, float[] wt, Geometry geometry, LabelScheme scheme, double threshold) {
    long n = geometry.dims().voxelCount();
    if (et.length != n || tc.length != n || wt.length != n) {
      throw new IllegalArgumentException(
          "region maps have "
              + et.length
              + "/"
              + tc.length
              + "/"
              + wt.length
              + " voxels (ET/TC/WT) but "
              + geometry.dims()
              + " needs "
              + n);
    }
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("threshold must be a number, got NaN");
    }
    byte[] out = new byte[(int) n];
    byte enhancing = (byte) scheme.enhancingLabel();
    byte necrotic = (byte) scheme.necroticLabel();
    byte edema = (byte) scheme.edemaLabel();
    for (int i = 0; i < out.length; i++) {
      boolean inEt = et[i] > threshold;
      boolean inTc = tc[i] > threshold;
      boolean inWt = wt[i] > threshold;
      out[i] = label(inEt, inTc, inWt, necrotic, edema, enhancing);
    }
    return new LabelVolume(geometry, out);
  }

  /** The label of one voxel from its region membership (see the table in the class doc). */
  static byte label(
      boolean inEt, boolean inTc, boolean inWt, byte necrotic, byte edema, byte enhancing) {
    if (inWt && !inTc) {
      return edema;
    }
    if (inTc && !inEt) {
      return necrotic;
    }
    return inEt ? enhancing : LabelScheme.BACKGROUND;
  }
}
