package org.bratscv.data.labels;

import java.util.Collection;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * The brain of a skull-stripped case as inference sees it, and the region maps restricted to it
 * ({@code ensemble.brain_mask}): a voxel is brain when it is non-zero in any channel of any of the
 * network inputs, the definition preprocessing crops by (every voxel non-zero in any modality).
 *
 * <p>Pipeline B's inputs (z-score of the non-zero voxels, zero voxels kept 0) give that mask
 * exactly. Pipeline A's (clipped to the 1st-99th percentile of the non-zero voxels, then scaled to
 * [0, 1]) also map voxels at or below the 1st percentile to 0, so from A's inputs alone a voxel
 * that is that dark in all four modalities counts as outside; tumour never is (enhancing tumour is
 * bright on T1Gd, edema on T2 and FLAIR). With both inputs, as in the two-pass ensemble, the mask
 * is exact: A's non-zero voxels are a subset of B's.
 */
public final class BrainMask {
  private BrainMask() {}

  /**
   * True where any channel of any of {@code inputs} is non-zero.
   *
   * @throws IllegalArgumentException when there is no input or their sizes differ
   */
  public static boolean[] of(Collection<MultiChannelVolume> inputs) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a brain mask needs at least one input volume");
    }
    Dims dims = inputs.iterator().next().dims();
    boolean[] brain = new boolean[Math.toIntExact(dims.voxelCount())];
    for (MultiChannelVolume v : inputs) {
      if (!v.dims().equals(dims)) {
        throw new IllegalArgumentException(
            "brain mask inputs differ in size: " + v.dims() + " and " + dims);
      }
      for (int c = 0; c < v.channelCount(); c++) {
        float[] ch = v.channel(c);
        for (int i = 0; i < brain.length; i++) {
          if (ch[i] != 0) {
            brain[i] = true;
          }
        }
      }
    }
    return brain;
  }

  /**
   * A copy of {@code maps} with every channel set to 0 outside {@code brain} (same voxel order).
   */
  public static MultiChannelVolume restrict(MultiChannelVolume maps, boolean[] brain) {
    if (brain.length != maps.dims().voxelCount()) {
      throw new IllegalArgumentException(
          "brain mask has " + brain.length + " voxels but the maps are " + maps.dims());
    }
    float[][] out = new float[maps.channelCount()][];
    for (int c = 0; c < out.length; c++) {
      float[] in = maps.channel(c);
      float[] o = new float[in.length];
      for (int i = 0; i < o.length; i++) {
        o[i] = brain[i] ? in[i] : 0f;
      }
      out[c] = o;
    }
    return new MultiChannelVolume(maps.geometry(), out);
  }
}
