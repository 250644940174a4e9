package org.bratscv.data.volume;

/**
 * An axis-aligned box of voxels, start inclusive and end exclusive on each axis, in NIfTI voxel
 * order (x, y, z).
 */
public record BoundingBox(int x0, int y0, int z0, int x1, int y1, int z1) {
  public BoundingBox {
    if (x0 < 0 || y0 < 0 || z0 < 0 || x1 <= x0 || y1 <= y0 || z1 <= z0) {
      throw new IllegalArgumentException(
          "empty or negative box ["
              + x0
              + ","
              + x1
              + ")x["
              + y0
              + ","
              + y1
              + ")x["
              + z0
              + ","
              + z1
              + ")");
    }
  }

  /** The whole volume. */
  public static BoundingBox of(Dims dims) {
    return new BoundingBox(0, 0, 0, dims.nx(), dims.ny(), dims.nz());
  }

  public Dims dims() {
    return new Dims(x1 - x0, y1 - y0, z1 - z0);
  }

  public int start(int axis) {
    return switch (axis) {
      case 0 -> x0;
      case 1 -> y0;
      case 2 -> z0;
      default -> throw new IllegalArgumentException("axis must be 0, 1 or 2, got " + axis);
    };
  }

  public int end(int axis) {
    return switch (axis) {
      case 0 -> x1;
      case 1 -> y1;
      case 2 -> z1;
      default -> throw new IllegalArgumentException("axis must be 0, 1 or 2, got " + axis);
    };
  }

  /** Grown by {@code margin} voxels on every side, clamped to {@code limits}. */
  public BoundingBox expand(int margin, Dims limits) {
    return new BoundingBox(
        Math.max(0, x0 - margin),
        Math.max(0, y0 - margin),
        Math.max(0, z0 - margin),
        Math.min(limits.nx(), x1 + margin),
        Math.min(limits.ny(), y1 + margin),
        Math.min(limits.nz(), z1 + margin));
  }

  public boolean fitsIn(Dims dims) {
    return x1 <= dims.nx() && y1 <= dims.ny() && z1 <= dims.nz();
  }

  /** Copies the box out of {@code src} (laid out as {@code srcDims}) into a new array. */
  public float[] crop(float[] src, Dims srcDims) {
    requireInside(srcDims);
    Dims d = dims();
    float[] out = new float[d.voxels()];
    int w = d.nx();
    for (int z = 0; z < d.nz(); z++) {
      for (int y = 0; y < d.ny(); y++) {
        System.arraycopy(src, srcDims.index(x0, y0 + y, z0 + z), out, d.index(0, y, z), w);
      }
    }
    return out;
  }

  /** As {@link #crop(float[], Dims)} for labels. */
  public byte[] crop(byte[] src, Dims srcDims) {
    requireInside(srcDims);
    Dims d = dims();
    byte[] out = new byte[d.voxels()];
    int w = d.nx();
    for (int z = 0; z < d.nz(); z++) {
      for (int y = 0; y < d.ny(); y++) {
        System.arraycopy(src, srcDims.index(x0, y0 + y, z0 + z), out, d.index(0, y, z), w);
      }
    }
    return out;
  }

  /**
   * The exact inverse of a crop: a volume of {@code fullDims} that holds {@code cropped} inside
   * this box and {@code fill} everywhere else.
   */
  public float[] putBack(float[] cropped, Dims fullDims, float fill) {
    requireInside(fullDims);
    Dims d = dims();
    requireLength(cropped.length, d);
    float[] out = new float[fullDims.voxels()];
    if (fill != 0f) {
      java.util.Arrays.fill(out, fill);
    }
    for (int z = 0; z < d.nz(); z++) {
      for (int y = 0; y < d.ny(); y++) {
        System.arraycopy(
            cropped, d.index(0, y, z), out, fullDims.index(x0, y0 + y, z0 + z), d.nx());
      }
    }
    return out;
  }

  /** As {@link #putBack(float[], Dims, float)} for labels; outside the box is background (0). */
  public byte[] putBack(byte[] cropped, Dims fullDims) {
    requireInside(fullDims);
    Dims d = dims();
    requireLength(cropped.length, d);
    byte[] out = new byte[fullDims.voxels()];
    for (int z = 0; z < d.nz(); z++) {
      for (int y = 0; y < d.ny(); y++) {
        System.arraycopy(
            cropped, d.index(0, y, z), out, fullDims.index(x0, y0 + y, z0 + z), d.nx());
      }
    }
    return out;
  }

  private void requireInside(Dims dims) {
    if (!fitsIn(dims)) {
      throw new IllegalArgumentException("box " + this + " does not fit in a volume of " + dims);
    }
  }

  private static void requireLength(int length, Dims d) {
    if (length != d.voxelCount()) {
      throw new IllegalArgumentException(
          "array of "
              + length
              + " values does not match box size "
              + d
              + " ("
              + d.voxelCount()
              + ")");
    }
  }
}
