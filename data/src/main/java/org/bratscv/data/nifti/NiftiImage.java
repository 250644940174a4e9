package org.bratscv.data.nifti;

import org.bratscv.data.volume.Volume;

/**
 * A decoded 3-D NIfTI image: its header and its voxels as floats with scl_slope/scl_inter applied,
 * in NIfTI order (x fastest). What {@link NiftiReader#read} returns.
 */
public final class NiftiImage {
  private final NiftiHeader header;
  private final float[] data;

  NiftiImage(NiftiHeader header, float[] data) {
    if (data.length != header.spatialDims().voxelCount()) {
      throw new IllegalArgumentException(
          "image of "
              + header.spatialDims()
              + " needs its voxel count of values, got "
              + data.length);
    }
    this.header = header;
    this.data = data;
  }

  public NiftiHeader header() {
    return header;
  }

  /** The scaled voxels (the array itself, not a copy: shared with {@link #toVolume()}). */
  public float[] data() {
    return data;
  }

  /** The voxels with the header's geometry (sharing the array). */
  public Volume toVolume() {
    return new Volume(header.geometry(), data);
  }
}
