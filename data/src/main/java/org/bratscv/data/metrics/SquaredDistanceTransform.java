package org.bratscv.data.metrics;

import org.bratscv.data.volume.Dims;

/**
 * Exact squared Euclidean distance transform in linear time (Felzenszwalb and Huttenlocher, "
 * Distance Transforms of Sampled Functions", 2012): the lower envelope of parabolas, applied
 * separably along x, then y, then z. Anisotropic voxels are honoured by weighting each axis with
 * its spacing squared, so the result is in mm².
 *
 * <p>This is the distance engine of {@link HausdorffDistance95}. An instance keeps its per-line
 * scratch arrays between calls; it is not thread-safe (use one per thread or task).
 */
public final class SquaredDistanceTransform {
  private double[] lineIn = new double[0];
  private double[] envelopeBounds = new double[1];
  private int[] envelopeSites = new int[0];

  /**
   * Replaces the first {@code dims.voxelCount()} values of {@code grid} (laid out as {@code dims},
   * x fastest; a longer array is allowed so that callers can reuse scratch) by its squared distance
   * transform: on input a voxel holds 0 where it is a feature (a site to measure to) and {@code
   * Double.POSITIVE_INFINITY} elsewhere (any finite non-negative value is allowed too, as an
   * offset); on output each voxel holds {@code min over sites p of (f(p) + |x - p|²)} in mm², with
   * {@code |.|} the Euclidean norm scaled by {@code spacing} (x, y, z, in mm). Voxels stay infinite
   * only when there is no site at all.
   */
  public void transform(double[] grid, Dims dims, double[] spacing) {
    transform(grid, dims, spacing, null);
  }

  /**
   * As {@link #transform(double[], Dims, double[])}, but when {@code zColumns} is given only the
   * z-columns {@code (x, y)} with {@code zColumns[x + nx * y]} get their final values; the others
   * are left half done. For callers that read the result at a few known voxels only.
   */
  void transform(double[] grid, Dims dims, double[] spacing, boolean[] zColumns) {
    if (grid.length < dims.voxelCount()) {
      throw new IllegalArgumentException(
          "distance transform grid has "
              + grid.length
              + " values but "
              + dims
              + " needs "
              + dims.voxelCount());
    }
    if (spacing.length != 3) {
      throw new IllegalArgumentException("spacing needs 3 values, got " + spacing.length);
    }
    for (int axis = 0; axis < 3; axis++) {
      if (!(spacing[axis] > 0) || Double.isInfinite(spacing[axis])) {
        throw new IllegalArgumentException(
            "voxel spacing must be positive and finite, got " + spacing[axis] + " on axis " + axis);
      }
    }
    int nx = dims.nx();
    int ny = dims.ny();
    int nz = dims.nz();
    ensureCapacity(Math.max(nx, Math.max(ny, nz)));
    double wx = spacing[0] * spacing[0];
    double wy = spacing[1] * spacing[1];
    double wz = spacing[2] * spacing[2];
    int slice = nx * ny;
    // Along x: rows are contiguous.
    if (nx > 1) {
      for (int row = 0; row < ny * nz; row++) {
        transformLine(grid, row * nx, 1, nx, wx);
      }
    }
    // Along y: within one z slice, so the strided lines stay in cache.
    if (ny > 1) {
      for (int z = 0; z < nz; z++) {
        for (int x = 0; x < nx; x++) {
          transformLine(grid, z * slice + x, nx, ny, wy);
        }
      }
    }
    if (nz > 1) {
      for (int i = 0; i < slice; i++) {
        if (zColumns == null || zColumns[i]) {
          transformLine(grid, i, slice, nz, wz);
        }
      }
    }
  }

  /**
   * One-dimensional transform of the {@code n} values at {@code offset + k * stride}, in place: the
   * lower envelope of the parabolas {@code w (q - p)² + f(p)} over the finite sites p.
   */
  private void transformLine(double[] grid, int offset, int stride, int n, double w) {
    double[] f = lineIn;
    int[] v = envelopeSites;
    double[] z = envelopeBounds;
    int k = -1;
    for (int q = 0, at = offset; q < n; q++, at += stride) {
      double fq = grid[at];
      f[q] = fq;
      if (fq == Double.POSITIVE_INFINITY) {
        continue; // no parabola: infinite sites never take part in the envelope
      }
      if (k < 0) {
        k = 0;
        v[0] = q;
        z[0] = Double.NEGATIVE_INFINITY;
        z[1] = Double.POSITIVE_INFINITY;
        continue;
      }
      double s = intersection(f, v[k], q, fq, w);
      while (s <= z[k]) {
        k--;
        s = intersection(f, v[k], q, fq, w);
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = Double.POSITIVE_INFINITY;
    }
    if (k < 0) {
      return; // the whole line stays infinite
    }
    k = 0;
    for (int q = 0, at = offset; q < n; q++, at += stride) {
      while (z[k + 1] < q) {
        k++;
      }
      int p = v[k];
      double d = q - p;
      grid[at] = w * d * d + f[p];
    }
  }

  /** Where the parabola rooted at q starts to lie below the one rooted at p (p < q). */
  private static double intersection(double[] f, int p, int q, double fq, double w) {
    return ((fq + w * q * q) - (f[p] + w * (double) p * p)) / (2 * w * (q - p));
  }

  private void ensureCapacity(int n) {
    if (lineIn.length < n) {
      lineIn = new double[n];
      envelopeSites = new int[n];
      envelopeBounds = new double[n + 1];
    }
  }
}
