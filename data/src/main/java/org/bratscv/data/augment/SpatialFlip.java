package org.bratscv.data.augment;

import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;

/** Mirrors a volume along any of its spatial axes x, y, z (one pass, new array). */
final class SpatialFlip {
  private SpatialFlip() {}

  static boolean any(boolean[] axes) {
    return axes[0] || axes[1] || axes[2];
  }

  /** {@code src} mirrored along each axis a with {@code axes[a]} true. */
  static float[] flip(float[] src, Dims d, boolean[] axes) {
    int nx = d.nx();
    int ny = d.ny();
    int nz = d.nz();
    float[] out = new float[src.length];
    for (int z = 0; z < nz; z++) {
      int sz = axes[2] ? nz - 1 - z : z;
      for (int y = 0; y < ny; y++) {
        int sy = axes[1] ? ny - 1 - y : y;
        int from = nx * (sy + ny * sz);
        int to = nx * (y + ny * z);
        if (axes[0]) {
          for (int x = 0; x < nx; x++) {
            out[to + x] = src[from + nx - 1 - x];
          }
        } else {
          System.arraycopy(src, from, out, to, nx);
        }
      }
    }
    return out;
  }

  /** Every channel of {@code v} flipped along {@code axes} (the label channels of a patch). */
  static MultiChannelVolume flip(MultiChannelVolume v, boolean[] axes) {
    if (!any(axes)) {
      return v;
    }
    float[][] out = new float[v.channelCount()][];
    for (int c = 0; c < out.length; c++) {
      out[c] = flip(v.channel(c), v.dims(), axes);
    }
    return new MultiChannelVolume(v.geometry(), out);
  }
}
