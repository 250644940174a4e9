package org.bratscv.data.volume;

import java.util.Arrays;

/**
 * A 4x4 voxel-to-world (RAS+, mm) matrix, as NIfTI's sform/qform define it: world = A * (i, j, k,
 * 1). Immutable; stored row-major.
 */
public final class Affine {
  private final double[] m;

  private Affine(double[] rowMajor) {
    this.m = rowMajor;
  }

  /** From 16 values, row-major. */
  public static Affine ofRowMajor(double... rowMajor) {
    if (rowMajor.length != 16) {
      throw new IllegalArgumentException("an affine has 16 values, got " + rowMajor.length);
    }
    return new Affine(rowMajor.clone());
  }

  /** From the three sform rows (srow_x, srow_y, srow_z); the last row is 0 0 0 1. */
  public static Affine ofRows(double[] rowX, double[] rowY, double[] rowZ) {
    double[] v = new double[16];
    System.arraycopy(rowX, 0, v, 0, 4);
    System.arraycopy(rowY, 0, v, 4, 4);
    System.arraycopy(rowZ, 0, v, 8, 4);
    v[15] = 1;
    return new Affine(v);
  }

  /** Pure scaling by the voxel spacing (the NIfTI "method 1" fallback). */
  public static Affine scaling(double sx, double sy, double sz) {
    return new Affine(new double[] {sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1});
  }

  public double get(int row, int col) {
    return m[row * 4 + col];
  }

  /** Row {@code r} (0..3) as a new array of 4. */
  public double[] row(int r) {
    return Arrays.copyOfRange(m, r * 4, r * 4 + 4);
  }

  public double[][] toRows() {
    return new double[][] {row(0), row(1), row(2), row(3)};
  }

  public double[] toRowMajor() {
    return m.clone();
  }

  /**
   * The affine of a sub-volume whose voxel (0, 0, 0) is voxel (ox, oy, oz) of this one: the same
   * world positions for the same voxels, so a crop stays in place in a viewer.
   */
  public Affine shiftedBy(int ox, int oy, int oz) {
    double[] v = m.clone();
    for (int r = 0; r < 3; r++) {
      v[r * 4 + 3] = m[r * 4 + 3] + m[r * 4] * ox + m[r * 4 + 1] * oy + m[r * 4 + 2] * oz;
    }
    return new Affine(v);
  }

  /** Largest absolute element difference to {@code other}. */
  public double maxAbsDifference(Affine other) {
    double d = 0;
    for (int i = 0; i < 16; i++) {
      d = Math.max(d, Math.abs(m[i] - other.m[i]));
    }
    return d;
  }

  public boolean approximatelyEquals(Affine other, double tolerance) {
    return maxAbsDifference(other) <= tolerance;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Affine a && Arrays.equals(m, a.m);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(m);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int r = 0; r < 4; r++) {
      sb.append(r == 0 ? "" : ", ").append(Arrays.toString(row(r)));
    }
    return sb.append(']').toString();
  }
}
