package org.bratscv.data.synth;

import java.util.SplittableRandom;
import org.bratscv.data.volume.Dims;

/**
 * A smooth random field: standard-normal values on a coarse lattice with {@code cell} voxels
 * between nodes, trilinearly interpolated to every voxel. Used for brain-surface wobble, tissue
 * texture, lesion shape and MR bias fields. Deterministic for a given generator state.
 */
final class SmoothField {
  private final Dims dims;
  private final int gx;
  private final int gy;
  private final float[] nodes;
  private final int[][] lo = new int[3][];
  private final float[][] frac = new float[3][];

  SmoothField(Dims dims, double cell, SplittableRandom rng) {
    this.dims = dims;
    int[] g = new int[3];
    for (int a = 0; a < 3; a++) {
      g[a] = (int) Math.ceil(dims.size(a) / cell) + 2;
      int n = dims.size(a);
      lo[a] = new int[n];
      frac[a] = new float[n];
      for (int i = 0; i < n; i++) {
        double p = i / cell;
        lo[a][i] = (int) Math.floor(p);
        frac[a][i] = (float) (p - lo[a][i]);
      }
    }
    gx = g[0];
    gy = g[1];
    nodes = new float[g[0] * g[1] * g[2]];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = (float) gaussian(rng);
    }
  }

  /** The field at voxel (x, y, z), roughly standard normal, smooth over {@code cell} voxels. */
  float at(int x, int y, int z) {
    int x0 = lo[0][x];
    int y0 = lo[1][y];
    int z0 = lo[2][z];
    float fx = frac[0][x];
    float fy = frac[1][y];
    float fz = frac[2][z];
    int i000 = x0 + gx * (y0 + gy * z0);
    int dy = gx;
    int dz = gx * gy;
    float c00 = nodes[i000] * (1 - fx) + nodes[i000 + 1] * fx;
    float c10 = nodes[i000 + dy] * (1 - fx) + nodes[i000 + dy + 1] * fx;
    float c01 = nodes[i000 + dz] * (1 - fx) + nodes[i000 + dz + 1] * fx;
    float c11 = nodes[i000 + dy + dz] * (1 - fx) + nodes[i000 + dy + dz + 1] * fx;
    float c0 = c00 * (1 - fy) + c10 * fy;
    float c1 = c01 * (1 - fy) + c11 * fy;
    return c0 * (1 - fz) + c1 * fz;
  }

  Dims dims() {
    return dims;
  }

  /** Box-Muller; SplittableRandom has no nextGaussian on Java 17. */
  static double gaussian(SplittableRandom rng) {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
