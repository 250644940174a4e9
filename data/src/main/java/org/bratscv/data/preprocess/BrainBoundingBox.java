package org.bratscv.data.preprocess;

import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * The crop of preprocessing: the smallest box holding every voxel that is non-zero in ANY modality,
 * grown by a margin (1 voxel by default) and clamped to the volume. The box is kept so that
 * predictions can be put back ({@link BoundingBox#putBack}).
 *
 * <p>Compute it on the raw intensities, before normalisation, so that pipelines A and B crop the
 * same box: min-max scaling maps every voxel at or below the 1st percentile to 0 and would shrink
 * the box by the darkest brain rim. The reference takes the box after normalisation, with a 1-voxel
 * margin before each axis and none after ({@code max + 1} as an exclusive end); this project uses
 * the symmetric margin the method describes.
 */
public final class BrainBoundingBox {
  /** The paper's margin: 1 voxel on every side. */
  public static final int DEFAULT_MARGIN = 1;

  private BrainBoundingBox() {}

  /** The brain box of {@code volume} with the default 1-voxel margin. */
  public static BoundingBox of(MultiChannelVolume volume) {
    return of(volume, DEFAULT_MARGIN);
  }

  /**
   * The brain box of {@code volume} grown by {@code margin} voxels and clamped to the volume.
   *
   * @throws IllegalArgumentException when every voxel of every channel is zero (no brain to crop)
   */
  public static BoundingBox of(MultiChannelVolume volume, int margin) {
    if (margin < 0) {
      throw new IllegalArgumentException("margin must not be negative, got " + margin);
    }
    Dims d = volume.dims();
    int nx = d.nx();
    int ny = d.ny();
    int nz = d.nz();
    int x0 = nx;
    int y0 = ny;
    int z0 = nz;
    int x1 = -1;
    int y1 = -1;
    int z1 = -1;
    int channels = volume.channelCount();
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        int row = nx * (y + ny * z);
        int first = nx;
        int last = -1;
        for (int c = 0; c < channels; c++) {
          float[] v = volume.channel(c);
          for (int x = 0; x < first; x++) {
            if (v[row + x] != 0) {
              first = x;
              break;
            }
          }
          for (int x = nx - 1; x > last; x--) {
            if (v[row + x] != 0) {
              last = x;
              break;
            }
          }
        }
        if (last >= 0) {
          x0 = Math.min(x0, first);
          x1 = Math.max(x1, last);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
          z0 = Math.min(z0, z);
          z1 = Math.max(z1, z);
        }
      }
    }
    if (x1 < 0) {
      throw new IllegalArgumentException(
          "every voxel of all "
              + channels
              + " channels ("
              + d
              + ") is zero: there is no brain to crop");
    }
    return new BoundingBox(x0, y0, z0, x1 + 1, y1 + 1, z1 + 1).expand(margin, d);
  }
}
