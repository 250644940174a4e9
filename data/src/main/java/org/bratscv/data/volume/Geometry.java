package org.bratscv.data.volume;

import java.util.Arrays;

/**
 * Where a volume's voxels sit: its size, voxel spacing in mm (x, y, z) and voxel-to-world affine.
 * Two volumes of one case must share their geometry.
 */
public record Geometry(Dims dims, double[] spacing, Affine affine) {
  public Geometry {
    if (spacing.length != 3) {
      throw new IllegalArgumentException("spacing needs 3 values, got " + spacing.length);
    }
    spacing = spacing.clone();
  }

  /** 1 mm isotropic voxels with a pure scaling affine: for tests and synthetic data. */
  public static Geometry isotropic(Dims dims) {
    return new Geometry(dims, new double[] {1, 1, 1}, Affine.scaling(1, 1, 1));
  }

  @Override
  public double[] spacing() {
    return spacing.clone();
  }

  public double spacing(int axis) {
    return spacing[axis];
  }

  /** The geometry of the sub-volume {@code box}: same spacing, affine shifted to the box origin. */
  public Geometry crop(BoundingBox box) {
    return new Geometry(box.dims(), spacing, affine.shiftedBy(box.x0(), box.y0(), box.z0()));
  }

  /**
   * True when both have the same dims and their affines agree within {@code tolerance} (mm); how a
   * case checks that its modalities are co-registered.
   */
  public boolean matches(Geometry other, double tolerance) {
    return dims.equals(other.dims) && affine.approximatelyEquals(other.affine, tolerance);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Geometry g
        && dims.equals(g.dims)
        && Arrays.equals(spacing, g.spacing)
        && affine.equals(g.affine);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dims.hashCode() + Arrays.hashCode(spacing)) + affine.hashCode();
  }

  @Override
  public String toString() {
    return "Geometry["
        + dims
        + ", spacing="
        + Arrays.toString(spacing)
        + ", affine="
        + affine
        + "]";
  }
}
