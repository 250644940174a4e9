package org.bratscv.data.volume;

/**
 * Spatial size of a volume in NIfTI voxel order: {@code nx} varies fastest in memory, then {@code
 * ny}, then {@code nz} (the axial slices). Seen as a C-order tensor the same memory has shape
 * {@code (nz, ny, nx)} = (D, H, W), which is how the network reads it.
 */
public record Dims(int nx, int ny, int nz) {
  public Dims {
    if (nx <= 0 || ny <= 0 || nz <= 0) {
      throw new IllegalArgumentException("dims must be positive, got " + nx + "x" + ny + "x" + nz);
    }
  }

  /** Number of voxels, as a long because hostile headers can declare more than 2^31. */
  public long voxelCount() {
    return (long) nx * ny * nz;
  }

  /** Number of voxels as an array length; fails when a Java array cannot hold them. */
  public int voxels() {
    long n = voxelCount();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "volume of " + this + " has too many voxels for one array");
    }
    return (int) n;
  }

  /** Linear index of voxel (x, y, z). */
  public int index(int x, int y, int z) {
    return x + nx * (y + ny * z);
  }

  public boolean contains(int x, int y, int z) {
    return x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz;
  }

  /** Size along axis 0 (x), 1 (y) or 2 (z). */
  public int size(int axis) {
    return switch (axis) {
      case 0 -> nx;
      case 1 -> ny;
      case 2 -> nz;
      default -> throw new IllegalArgumentException("axis must be 0, 1 or 2, got " + axis);
    };
  }

  public int[] toArray() {
    return new int[] {nx, ny, nz};
  }

  public static Dims of(int[] xyz) {
    if (xyz.length != 3) {
      throw new IllegalArgumentException("expected 3 sizes, got " + xyz.length);
    }
    return new Dims(xyz[0], xyz[1], xyz[2]);
  }

  /** Parses {@code 240x240x155} (x, y, z order, as nibabel's shape). */
  public static Dims parse(String text) {
    String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    if (parts.length != 3) {
      throw new IllegalArgumentException("size must look like 240x240x155, got '" + text + "'");
    }
    try {
      return new Dims(
          Integer.parseInt(parts[0].trim()),
          Integer.parseInt(parts[1].trim()),
          Integer.parseInt(parts[2].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("size must look like 240x240x155, got '" + text + "'", e);
    }
  }

  @Override
  public String toString() {
    return nx + "x" + ny + "x" + nz;
  }
}
