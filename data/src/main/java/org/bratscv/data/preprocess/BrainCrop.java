package org.bratscv.data.preprocess;

import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Padding;
import org.bratscv.data.volume.Volume;

/**
 * The inference framing of a case and its exact inverse: crop the original volume to the brain box,
 * then zero-pad each axis to a multiple of 8 (the three 2x poolings of the U-Net); {@link #restore}
 * removes the padding from a prediction and puts it back into the original geometry, voxel for
 * voxel.
 *
 * @param original geometry of the case as read from disk
 * @param box the brain box within {@code original}
 * @param padding the zero-padding added around the cropped box
 */
public record BrainCrop(Geometry original, BoundingBox box, Padding padding) {
  /** The paper's multiple: three 2x poolings need sizes divisible by 8. */
  public static final int DEFAULT_MULTIPLE = 8;

  public BrainCrop {
    if (!box.fitsIn(original.dims())) {
      throw new IllegalArgumentException(
          "box " + box + " does not fit in the original volume " + original.dims());
    }
  }

  /** The paper's framing: brain box with a 1-voxel margin, padded to multiples of 8. */
  public static BrainCrop of(MultiChannelVolume image) {
    return of(image, BrainBoundingBox.DEFAULT_MARGIN, DEFAULT_MULTIPLE);
  }

  /** Brain box with {@code margin}, padded to multiples of {@code multiple}. */
  public static BrainCrop of(MultiChannelVolume image, int margin, int multiple) {
    return of(image.geometry(), BrainBoundingBox.of(image, margin), multiple);
  }

  /** A known box of {@code original} (e.g. a preprocessed case's), padded to {@code multiple}. */
  public static BrainCrop of(Geometry original, BoundingBox box, int multiple) {
    return new BrainCrop(original, box, Padding.toMultipleOf(box.dims(), multiple));
  }

  /** Size of what the network sees: the box plus padding. */
  public Dims networkDims() {
    return padding.padded(box.dims());
  }

  /** Crops and pads {@code image}, which must have the original geometry's size. */
  public MultiChannelVolume apply(MultiChannelVolume image) {
    requireDims(image.dims(), original.dims(), "image");
    return image.crop(box).pad(padding);
  }

  /** Pads an image already cropped to {@link #box} (a preprocessed case) for the network. */
  public MultiChannelVolume padCropped(MultiChannelVolume cropped) {
    requireDims(cropped.dims(), box.dims(), "cropped image");
    return cropped.pad(padding);
  }

  /** Puts a labelmap predicted on {@link #networkDims()} back into the original geometry. */
  public LabelVolume restore(LabelVolume prediction) {
    requireDims(prediction.dims(), networkDims(), "prediction");
    byte[] unpadded = padding.undo(prediction.labels(), box.dims());
    return new LabelVolume(original, box.putBack(unpadded, original.dims()));
  }

  /** Puts one channel (e.g. a probability map) back into the original geometry; 0 outside. */
  public Volume restore(Volume prediction) {
    requireDims(prediction.dims(), networkDims(), "prediction");
    float[] unpadded = padding.undo(prediction.data(), box.dims());
    return new Volume(original, box.putBack(unpadded, original.dims(), 0f));
  }

  /** Puts every channel back into the original geometry; 0 outside the box. */
  public MultiChannelVolume restore(MultiChannelVolume prediction) {
    requireDims(prediction.dims(), networkDims(), "prediction");
    float[][] out = new float[prediction.channelCount()][];
    for (int c = 0; c < out.length; c++) {
      float[] unpadded = padding.undo(prediction.channel(c), box.dims());
      out[c] = box.putBack(unpadded, original.dims(), 0f);
    }
    return new MultiChannelVolume(original, out);
  }

  private static void requireDims(Dims actual, Dims expected, String what) {
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          what + " has size " + actual + " but this crop expects " + expected);
    }
  }
}
