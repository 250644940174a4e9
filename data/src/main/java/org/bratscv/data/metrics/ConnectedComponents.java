package org.bratscv.data.metrics;

import org.bratscv.data.volume.Dims;

/**
 * Labels the 26-connected components of a mask (voxels sharing a face, an edge or a corner belong
 * to one component), numbered 1, 2, ... in scan order (x fastest); 0 stays background.
 */
final class ConnectedComponents {
  private int[] stack = new int[0];

  /**
   * Writes each voxel's component number to {@code labels} (0 outside the mask) and returns the
   * number of components.
   */
  int label(byte[] mask, Dims dims, int[] labels) {
    int nx = dims.nx();
    int ny = dims.ny();
    int nz = dims.nz();
    int slice = nx * ny;
    int n = dims.voxels();
    java.util.Arrays.fill(labels, 0, n, 0);
    int count = 0;
    for (int seed = 0; seed < n; seed++) {
      if (mask[seed] == 0 || labels[seed] != 0) {
        continue;
      }
      count++;
      labels[seed] = count;
      int top = 0;
      stack = ensure(stack, 1);
      stack[top++] = seed;
      while (top > 0) {
        int v = stack[--top];
        int z = v / slice;
        int y = (v - z * slice) / nx;
        int x = v - z * slice - y * nx;
        for (int dz = -1; dz <= 1; dz++) {
          int zz = z + dz;
          if (zz < 0 || zz >= nz) {
            continue;
          }
          for (int dy = -1; dy <= 1; dy++) {
            int yy = y + dy;
            if (yy < 0 || yy >= ny) {
              continue;
            }
            int row = nx * (yy + ny * zz);
            for (int dx = -1; dx <= 1; dx++) {
              int xx = x + dx;
              if (xx < 0 || xx >= nx) {
                continue;
              }
              int w = row + xx;
              if (mask[w] != 0 && labels[w] == 0) {
                labels[w] = count;
                stack = ensure(stack, top + 1);
                stack[top++] = w;
              }
            }
          }
        }
      }
    }
    return count;
  }

  private static int[] ensure(int[] a, int size) {
    return a.length >= size ? a : java.util.Arrays.copyOf(a, Math.max(size, a.length * 2 + 64));
  }
}
