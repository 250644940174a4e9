package org.bratscv.data.volume;

/**
 * A labelmap (BraTS labels 0, 1, 2, 3/4) in NIfTI voxel order with its {@link Geometry}. Labels are
 * stored as unsigned bytes (0..255).
 */
public final class LabelVolume {
  private final Geometry geometry;
  private final byte[] labels;

  public LabelVolume(Geometry geometry, byte[] labels) {
    if (labels.length != geometry.dims().voxelCount()) {
      throw new IllegalArgumentException(
          "labelmap of "
              + geometry.dims()
              + " needs "
              + geometry.dims().voxelCount()
              + " values, got "
              + labels.length);
    }
    this.geometry = geometry;
    this.labels = labels;
  }

  public Geometry geometry() {
    return geometry;
  }

  public Dims dims() {
    return geometry.dims();
  }

  /** The label array itself (not a copy). */
  public byte[] labels() {
    return labels;
  }

  public int get(int x, int y, int z) {
    return labels[dims().index(x, y, z)] & 0xFF;
  }

  public LabelVolume crop(BoundingBox box) {
    return new LabelVolume(geometry.crop(box), box.crop(labels, dims()));
  }

  public LabelVolume pad(Padding padding) {
    return new LabelVolume(padding.apply(geometry), padding.apply(labels, dims()));
  }

  /** Puts this cropped labelmap back into {@code full} at {@code box}; background elsewhere. */
  public LabelVolume putBack(BoundingBox box, Geometry full) {
    return new LabelVolume(full, box.putBack(labels, full.dims()));
  }

  /**
   * Converts float voxels (as read from a seg file) to labels, failing on values that are not whole
   * numbers in 0..255.
   */
  public static LabelVolume fromVolume(Volume v) {
    float[] d = v.data();
    byte[] out = new byte[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = label(d[i], i);
    }
    return new LabelVolume(v.geometry(), out);
  }

  /**
   * The label that the value {@code f} of voxel {@code voxel} stands for.
   *
   * @throws IllegalArgumentException naming the value and the voxel when it is not a label (an
   *     integer 0..255)
   */
  public static byte label(float f, int voxel) {
    int l = (int) f;
    if (l != f || l < 0 || l > 255) {
      throw new IllegalArgumentException(
          "label volume holds a value that is not a label (0..255): " + f + " at voxel " + voxel);
    }
    return (byte) l;
  }

  public Volume toVolume() {
    float[] out = new float[labels.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = labels[i] & 0xFF;
    }
    return new Volume(geometry, out);
  }
}
