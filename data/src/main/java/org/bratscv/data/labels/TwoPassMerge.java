package org.bratscv.data.labels;

import org.bratscv.data.volume.LabelVolume;

/**
 * The second pass of inference: merges the labelmaps of pipeline A and pipeline B. A's labels are
 * kept, except that edema is taken from B at the border of the tumor: where A says background and B
 * says edema the voxel becomes edema; where A says edema and B says background it becomes
 * background. A's enhancing tumor and NCR/NET are never changed, and every other pair keeps A.
 */
public final class TwoPassMerge {
  private TwoPassMerge() {}

  /** Merged labelmap of two BraTS-labelled maps on A's geometry; both must have the same dims. */
  public static LabelVolume merge(LabelVolume a, LabelVolume b) {
    return merge(a, b, LabelScheme.BRATS2020);
  }

  /**
   * Merged labelmap on A's geometry, edema being {@code scheme}'s; both must have the same dims.
   */
  public static LabelVolume merge(LabelVolume a, LabelVolume b, LabelScheme scheme) {
    if (!a.dims().equals(b.dims())) {
      throw new IllegalArgumentException(
          "two-pass merge: pipeline A's labelmap has dims "
              + a.dims()
              + " but pipeline B's has "
              + b.dims());
    }
    byte[] la = a.labels();
    byte[] lb = b.labels();
    byte[] out = new byte[la.length];
    int edema = scheme.edemaLabel();
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) merge(la[i] & 0xFF, lb[i] & 0xFF, edema);
    }
    return new LabelVolume(a.geometry(), out);
  }

  /** The merged label of one voxel labelled {@code a} by pipeline A and {@code b} by B (BraTS). */
  public static int merge(int a, int b) {
    return merge(a, b, LabelScheme.EDEMA);
  }

  private static int merge(int a, int b, int edema) {
    if (a == LabelScheme.BACKGROUND && b == edema) {
      return edema;
    }
    if (a == edema && b == LabelScheme.BACKGROUND) {
      return LabelScheme.BACKGROUND;
    }
    return a;
  }
}
