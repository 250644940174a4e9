package org.bratscv.data.volume;

import java.util.List;

/**
 * Several co-registered channels on one geometry: a case's four modalities (T1, T1Gd, T2, FLAIR) or
 * the network's three region maps (ET, TC, WT). Seen as a tensor: (C, D, H, W) = (C, nz, ny, nx).
 */
public final class MultiChannelVolume {
  private final Geometry geometry;
  private final float[][] channels;

  public MultiChannelVolume(Geometry geometry, float[][] channels) {
    if (channels.length == 0) {
      throw new IllegalArgumentException("a multi-channel volume needs at least one channel");
    }
    for (int c = 0; c < channels.length; c++) {
      if (channels[c].length != geometry.dims().voxelCount()) {
        throw new IllegalArgumentException(
            "channel "
                + c
                + " has "
                + channels[c].length
                + " values, expected "
                + geometry.dims().voxelCount()
                + " for "
                + geometry.dims());
      }
    }
    this.geometry = geometry;
    this.channels = channels;
  }

  /**
   * Stacks volumes that share one geometry (dims must be equal; the first one's affine is kept).
   */
  public static MultiChannelVolume stack(List<Volume> volumes) {
    Geometry g = volumes.get(0).geometry();
    float[][] ch = new float[volumes.size()][];
    for (int c = 0; c < ch.length; c++) {
      Volume v = volumes.get(c);
      if (!v.dims().equals(g.dims())) {
        throw new IllegalArgumentException(
            "channel " + c + " has dims " + v.dims() + " but channel 0 has " + g.dims());
      }
      ch[c] = v.data();
    }
    return new MultiChannelVolume(g, ch);
  }

  public Geometry geometry() {
    return geometry;
  }

  public Dims dims() {
    return geometry.dims();
  }

  public int channelCount() {
    return channels.length;
  }

  /** Channel {@code c}'s voxel array itself (not a copy). */
  public float[] channel(int c) {
    return channels[c];
  }

  public Volume volume(int c) {
    return new Volume(geometry, channels[c]);
  }

  public MultiChannelVolume crop(BoundingBox box) {
    float[][] out = new float[channels.length][];
    for (int c = 0; c < out.length; c++) {
      out[c] = box.crop(channels[c], dims());
    }
    return new MultiChannelVolume(geometry.crop(box), out);
  }

  public MultiChannelVolume pad(Padding padding) {
    float[][] out = new float[channels.length][];
    for (int c = 0; c < out.length; c++) {
      out[c] = padding.apply(channels[c], dims());
    }
    return new MultiChannelVolume(padding.apply(geometry), out);
  }

  /** The channels laid end to end, C-order (C, nz, ny, nx): what a tensor of one case holds. */
  public float[] toInterleavedChannelsFirst() {
    int n = dims().voxels();
    float[] out = new float[n * channels.length];
    for (int c = 0; c < channels.length; c++) {
      System.arraycopy(channels[c], 0, out, c * n, n);
    }
    return out;
  }
}
