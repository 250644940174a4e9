package org.bratscv.data.volume;

/**
 * One 3-D scalar image (a single MRI modality, a probability map): float voxels in NIfTI order
 * ({@link Dims#index}) and their {@link Geometry}. The array is owned by the volume; operations
 * return new volumes.
 */
public final class Volume {
  private final Geometry geometry;
  private final float[] data;

  public Volume(Geometry geometry, float[] data) {
    if (data.length != geometry.dims().voxelCount()) {
      throw new IllegalArgumentException(
          "volume of "
              + geometry.dims()
              + " needs "
              + geometry.dims().voxelCount()
              + " values, got "
              + data.length);
    }
    this.geometry = geometry;
    this.data = data;
  }

  public Geometry geometry() {
    return geometry;
  }

  public Dims dims() {
    return geometry.dims();
  }

  /** The voxel array itself (not a copy): callers must not modify a volume they do not own. */
  public float[] data() {
    return data;
  }

  public float get(int x, int y, int z) {
    return data[dims().index(x, y, z)];
  }

  public Volume crop(BoundingBox box) {
    return new Volume(geometry.crop(box), box.crop(data, dims()));
  }

  public Volume pad(Padding padding) {
    return new Volume(padding.apply(geometry), padding.apply(data, dims()));
  }

  /** Puts this cropped volume back into {@code full} geometry at {@code box}; zero elsewhere. */
  public Volume putBack(BoundingBox box, Geometry full) {
    return new Volume(full, box.putBack(data, full.dims(), 0f));
  }
}
