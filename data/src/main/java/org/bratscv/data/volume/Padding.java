package org.bratscv.data.volume;

/**
 * Zero-padding added before and after each axis (x, y, z). {@link #apply} pads, {@link #undo}
 * removes exactly what was added, so a prediction made on a padded volume maps back voxel for
 * voxel.
 */
public record Padding(int xBefore, int xAfter, int yBefore, int yAfter, int zBefore, int zAfter) {
  public Padding {
    if (xBefore < 0 || xAfter < 0 || yBefore < 0 || yAfter < 0 || zBefore < 0 || zAfter < 0) {
      throw new IllegalArgumentException("padding must not be negative: " + this);
    }
  }

  public static final Padding NONE = new Padding(0, 0, 0, 0, 0, 0);

  /**
   * The padding that grows every axis of {@code dims} up to the next multiple of {@code multiple},
   * split evenly with the odd voxel after (so the three 2x poolings of the U-Net divide evenly).
   */
  public static Padding toMultipleOf(Dims dims, int multiple) {
    if (multiple <= 0) {
      throw new IllegalArgumentException("multiple must be positive, got " + multiple);
    }
    int[] before = new int[3];
    int[] after = new int[3];
    for (int a = 0; a < 3; a++) {
      int n = dims.size(a);
      int total = (multiple - n % multiple) % multiple;
      before[a] = total / 2;
      after[a] = total - before[a];
    }
    return new Padding(before[0], after[0], before[1], after[1], before[2], after[2]);
  }

  public int before(int axis) {
    return switch (axis) {
      case 0 -> xBefore;
      case 1 -> yBefore;
      case 2 -> zBefore;
      default -> throw new IllegalArgumentException("axis must be 0, 1 or 2, got " + axis);
    };
  }

  public int after(int axis) {
    return switch (axis) {
      case 0 -> xAfter;
      case 1 -> yAfter;
      case 2 -> zAfter;
      default -> throw new IllegalArgumentException("axis must be 0, 1 or 2, got " + axis);
    };
  }

  public Dims padded(Dims dims) {
    return new Dims(
        dims.nx() + xBefore + xAfter, dims.ny() + yBefore + yAfter, dims.nz() + zBefore + zAfter);
  }

  /** Where the unpadded volume sits inside the padded one. */
  public BoundingBox interior(Dims unpadded) {
    return new BoundingBox(
        xBefore,
        yBefore,
        zBefore,
        xBefore + unpadded.nx(),
        yBefore + unpadded.ny(),
        zBefore + unpadded.nz());
  }

  public float[] apply(float[] data, Dims dims) {
    return interior(dims).putBack(data, padded(dims), 0f);
  }

  public byte[] apply(byte[] data, Dims dims) {
    return interior(dims).putBack(data, padded(dims));
  }

  /** Removes the padding from {@code padded}, a volume of {@code padded(unpadded)}. */
  public float[] undo(float[] padded, Dims unpadded) {
    return interior(unpadded).crop(padded, padded(unpadded));
  }

  public byte[] undo(byte[] padded, Dims unpadded) {
    return interior(unpadded).crop(padded, padded(unpadded));
  }

  /** The geometry of the padded volume: origin moved back by the padding before. */
  public Geometry apply(Geometry g) {
    return new Geometry(
        padded(g.dims()), g.spacing(), g.affine().shiftedBy(-xBefore, -yBefore, -zBefore));
  }
}
