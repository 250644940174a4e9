package org.bratscv.data.preprocess;

import java.util.random.RandomGenerator;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Padding;

/**
 * Where a fixed-size training patch (128^3 in the paper) is taken from a cropped case, as the
 * reference's {@code pad_or_crop_image}: on each axis, a volume larger than the patch is cropped at
 * a uniformly random start in [0, n - p]; a smaller one is zero-padded with a uniformly random
 * split, {@code before} in [0, p - n] and the rest after; an equal one is left alone. Draw once,
 * apply to the image and to its labels so both stay aligned.
 *
 * @param source size of the volume the patch is taken from
 * @param crop the box kept from {@code source} (the whole axis where it is padded)
 * @param padding the zeros added around the crop to reach the patch size
 */
public record RandomPatch(Dims source, BoundingBox crop, Padding padding) {
  /** The paper's training patch size. */
  public static final Dims DEFAULT_SIZE = new Dims(128, 128, 128);

  public RandomPatch {
    if (!crop.fitsIn(source)) {
      throw new IllegalArgumentException("crop " + crop + " does not fit in " + source);
    }
  }

  /**
   * Draws a placement of a {@code patch}-sized window in a volume of {@code source} size. Exactly
   * one {@code nextInt} per axis that is cropped or padded, in axis order x, y, z.
   */
  public static RandomPatch draw(Dims source, Dims patch, RandomGenerator rng) {
    int[] start = new int[3];
    int[] end = new int[3];
    int[] before = new int[3];
    int[] after = new int[3];
    for (int a = 0; a < 3; a++) {
      int n = source.size(a);
      int p = patch.size(a);
      if (n > p) {
        start[a] = rng.nextInt(n - p + 1);
        end[a] = start[a] + p;
      } else {
        end[a] = n;
        if (n < p) {
          before[a] = rng.nextInt(p - n + 1);
          after[a] = p - n - before[a];
        }
      }
    }
    return new RandomPatch(
        source,
        new BoundingBox(start[0], start[1], start[2], end[0], end[1], end[2]),
        new Padding(before[0], after[0], before[1], after[1], before[2], after[2]));
  }

  /** The size of the patch. */
  public Dims patchDims() {
    return padding.padded(crop.dims());
  }

  /** The patch of {@code volume}, which must have the {@link #source} size. */
  public MultiChannelVolume apply(MultiChannelVolume volume) {
    requireSource(volume.dims());
    return volume.crop(crop).pad(padding);
  }

  /** The patch of {@code labels}; padded voxels are background. */
  public LabelVolume apply(LabelVolume labels) {
    requireSource(labels.dims());
    return labels.crop(crop).pad(padding);
  }

  private void requireSource(Dims dims) {
    if (!dims.equals(source)) {
      throw new IllegalArgumentException(
          "volume of " + dims + " given to a patch drawn for " + source);
    }
  }
}
