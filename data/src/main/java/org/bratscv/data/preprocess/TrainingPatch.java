package org.bratscv.data.preprocess;

import java.util.random.RandomGenerator;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * One training sample as the network sees it: the image channels (T1, T1Gd, T2, FLAIR) and the
 * region target channels (ET, TC, WT, float 0/1) on the same patch. Sampling and augmentation
 * return new patches and never modify their input.
 */
public record TrainingPatch(MultiChannelVolume image, MultiChannelVolume target) {
  public TrainingPatch {
    if (!image.dims().equals(target.dims())) {
      throw new IllegalArgumentException(
          "image of " + image.dims() + " and target of " + target.dims() + " differ in size");
    }
  }

  public Dims dims() {
    return image.dims();
  }

  /**
   * A random {@code size} patch of a cropped, normalised case and its region targets (see {@link
   * RandomPatch}). The labels are cut before they become region channels, which is cheaper and
   * gives the same result.
   */
  public static TrainingPatch sample(
      MultiChannelVolume image,
      LabelVolume labels,
      LabelScheme scheme,
      Dims size,
      RandomGenerator rng) {
    RandomPatch where = RandomPatch.draw(image.dims(), size, rng);
    return new TrainingPatch(where.apply(image), RegionTargets.of(where.apply(labels), scheme));
  }

  /** As above, when the region targets already exist as channels. */
  public static TrainingPatch sample(
      MultiChannelVolume image, MultiChannelVolume target, Dims size, RandomGenerator rng) {
    if (!image.dims().equals(target.dims())) {
      throw new IllegalArgumentException(
          "image of " + image.dims() + " and target of " + target.dims() + " differ in size");
    }
    RandomPatch where = RandomPatch.draw(image.dims(), size, rng);
    return new TrainingPatch(where.apply(image), where.apply(target));
  }
}
