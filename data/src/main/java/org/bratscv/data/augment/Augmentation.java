package org.bratscv.data.augment;

import java.util.random.RandomGenerator;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.TrainingPatch;

/**
 * A training-time augmentation of a patch (image channels and region targets together; spatial
 * transforms move both, intensity transforms touch only the image). Each is a pure function of the
 * patch and an explicitly seeded generator: the same patch and generator state give the same
 * result, so a retried task redoes exactly the same work.
 *
 * <p>Implementations first draw a plan (every random decision and parameter, with a fixed number of
 * draws whatever the outcomes, so changing one probability never reshuffles the others), then apply
 * it. Output volumes may share the input's arrays for channels the plan leaves unchanged.
 */
public sealed interface Augmentation permits AugmentationA, AugmentationB {

  /** Draws a plan from {@code rng} and applies it to {@code patch}. */
  TrainingPatch apply(TrainingPatch patch, RandomGenerator rng);

  /** The paper's augmentation for a pipeline: A for min-max data, B for z-scored data. */
  static Augmentation paperDefault(Normalization pipeline) {
    return switch (pipeline) {
      case A -> AugmentationA.PAPER;
      case B -> AugmentationB.PAPER;
    };
  }

  /** Fails unless {@code p} is a probability. */
  static void requireProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
    }
  }

  /** Fails unless {@code min <= max}. */
  static void requireRange(String name, double min, double max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException(name + " range is empty: [" + min + ", " + max + "]");
    }
  }

  /** Uniform in [min, max); exactly one draw, also when min == max. */
  static double uniform(RandomGenerator rng, double min, double max) {
    return min + (max - min) * rng.nextDouble();
  }
}
