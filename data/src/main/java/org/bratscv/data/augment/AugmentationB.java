package org.bratscv.data.augment;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.bratscv.data.preprocess.TrainingPatch;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * Pipeline B's augmentation (paper section 3.2), in this order:
 *
 * <ol>
 *   <li>with {@link #noiseProbability} (0.2): Gaussian noise N(0, {@link #noiseStd} = 0.1) added to
 *       every voxel of every channel (each channel its own stream);
 *   <li>with {@link #gammaProbability} (0.2): gamma correction with one gamma drawn from U({@link
 *       #gammaMin}, {@link #gammaMax}) = U(0.5, 2.5). Z-scored intensities can be negative, so, as
 *       MONAI's {@code AdjustContrast} does, each channel is rescaled to [0, 1] with its own min
 *       and max over the patch, raised to the power gamma and scaled back: {@code v' = ((v - min) /
 *       (max - min))^gamma * (max - min) + min}. The channel's min and max are kept; background
 *       zeros move with everything else. A constant channel is left unchanged. (MONAI takes min and
 *       max over all channels together; per channel keeps each modality's range.)
 *   <li>with {@link #shiftProbability} (0.2): one offset drawn from U({@link #shiftMin}, {@link
 *       #shiftMax}) = U(-0.1, 0.1) added to every voxel of every channel (MONAI's {@code
 *       RandShiftIntensity});
 *   <li>each spatial axis mirrored with {@link #flipAxisProbability} (0.5), image and targets
 *       alike.
 * </ol>
 *
 * The reference code has no pipeline B; the steps are the paper's text read as the MONAI transforms
 * of the same names.
 */
public record AugmentationB(
    double noiseProbability,
    double noiseStd,
    double gammaProbability,
    double gammaMin,
    double gammaMax,
    double shiftProbability,
    double shiftMin,
    double shiftMax,
    double flipAxisProbability)
    implements Augmentation {

  /** The paper's settings. */
  public static final AugmentationB PAPER =
      new AugmentationB(0.2, 0.1, 0.2, 0.5, 2.5, 0.2, -0.1, 0.1, 0.5);

  public AugmentationB {
    Augmentation.requireProbability("noiseProbability", noiseProbability);
    if (!(noiseStd >= 0)) {
      throw new IllegalArgumentException("noiseStd must be >= 0, got " + noiseStd);
    }
    Augmentation.requireProbability("gammaProbability", gammaProbability);
    Augmentation.requireRange("gamma", gammaMin, gammaMax);
    if (!(gammaMin > 0)) {
      throw new IllegalArgumentException("gamma must be positive, got a minimum of " + gammaMin);
    }
    Augmentation.requireProbability("shiftProbability", shiftProbability);
    Augmentation.requireRange("shift", shiftMin, shiftMax);
    Augmentation.requireProbability("flipAxisProbability", flipAxisProbability);
  }

  /**
   * The random decisions for one patch.
   *
   * @param noise whether noise is added
   * @param noiseSeed seed of the noise streams (channel c uses {@code Seeds.child(noiseSeed, c)})
   * @param gamma the gamma, or NaN when gamma correction does not fire
   * @param shift the intensity offset (0 when the shift does not fire)
   * @param flips per spatial axis (x, y, z), whether it is mirrored
   */
  public record Plan(boolean noise, long noiseSeed, double gamma, double shift, boolean[] flips) {
    public Plan {
      flips = flips.clone();
    }

    public boolean gammaFires() {
      return !Double.isNaN(gamma);
    }

    @Override
    public boolean[] flips() {
      return flips.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Plan p
          && noise == p.noise
          && noiseSeed == p.noiseSeed
          && Double.compare(gamma, p.gamma) == 0
          && Double.compare(shift, p.shift) == 0
          && Arrays.equals(flips, p.flips);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(noiseSeed) * 31 + Double.hashCode(gamma) + Arrays.hashCode(flips);
    }

    @Override
    public String toString() {
      return "Plan[noise="
          + noise
          + ", gamma="
          + gamma
          + ", shift="
          + shift
          + ", flips="
          + Arrays.toString(flips)
          + "]";
    }
  }

  /**
   * Draws a plan. Always 9 draws, in this order: noise coin, noise seed, gamma coin, gamma, shift
   * coin, shift, three axis coins.
   */
  public Plan plan(RandomGenerator rng) {
    boolean noise = rng.nextDouble() < noiseProbability;
    long noiseSeed = rng.nextLong();
    boolean gammaFires = rng.nextDouble() < gammaProbability;
    double gamma = Augmentation.uniform(rng, gammaMin, gammaMax);
    boolean shiftFires = rng.nextDouble() < shiftProbability;
    double shift = Augmentation.uniform(rng, shiftMin, shiftMax);
    boolean[] axes = new boolean[3];
    for (int a = 0; a < 3; a++) {
      axes[a] = rng.nextDouble() < flipAxisProbability;
    }
    return new Plan(
        noise, noiseSeed, gammaFires ? gamma : Double.NaN, shiftFires ? shift : 0, axes);
  }

  @Override
  public TrainingPatch apply(TrainingPatch patch, RandomGenerator rng) {
    return apply(patch, plan(rng));
  }

  /** Applies {@code plan} to {@code patch} (a new patch; the input is not modified). */
  public TrainingPatch apply(TrainingPatch patch, Plan plan) {
    MultiChannelVolume image = patch.image();
    Dims d = image.dims();
    float[][] ch = new float[image.channelCount()][];
    for (int c = 0; c < ch.length; c++) {
      ch[c] = image.channel(c);
      if (plan.noise) {
        ch[c] = AugmentationA.noised(ch[c], noiseStd, plan.noiseSeed, c);
      }
      if (plan.gammaFires()) {
        ch[c] = gammaCorrected(ch[c], plan.gamma);
      }
      if (plan.shift != 0) {
        ch[c] = shifted(ch[c], plan.shift);
      }
      if (SpatialFlip.any(plan.flips)) {
        ch[c] = SpatialFlip.flip(ch[c], d, plan.flips);
      }
    }
    return new TrainingPatch(
        new MultiChannelVolume(image.geometry(), ch), SpatialFlip.flip(patch.target(), plan.flips));
  }

  static float[] gammaCorrected(float[] v, double gamma) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float f : v) {
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    double range = (double) max - min;
    if (range == 0) {
      return v.clone();
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (Math.pow(((double) v[i] - min) / range, gamma) * range + min);
    }
    return out;
  }

  private static float[] shifted(float[] v, double offset) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] + offset);
    }
    return out;
  }
}
