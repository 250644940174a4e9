package org.bratscv.data.augment;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.bratscv.data.preprocess.TrainingPatch;
import org.bratscv.data.random.Seeds;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * Pipeline A's augmentation (paper section 3.2), in this order, each step on its own coin:
 *
 * <ol>
 *   <li>with {@link #rescaleProbability} (0.8): each channel multiplied by its own factor drawn
 *       from U({@link #rescaleMin}, {@link #rescaleMax}) = U(0.9, 1.1);
 *   <li>with {@link #noiseProbability} (0.8): Gaussian noise added to every voxel of each channel,
 *       with std = {@link #noiseStdFraction} (0.1) x that channel's std, taken after the rescale
 *       over the channel's positive voxels with Bessel's correction, as the reference's {@code
 *       torch.std(x[x > 0])} (a channel with fewer than two positive voxels gets no noise);
 *   <li>with {@link #flipProbability} (0.8): each spatial axis mirrored with {@link
 *       #flipAxisProbability} (0.5), image and targets alike;
 *   <li>with {@link #channelDropProbability} (0.16 = 0.2 x 0.8): one uniformly chosen input channel
 *       set to zero.
 * </ol>
 *
 * <p>How this reads the reference ({@code DataAugmenter}, p = 0.8): there ONE coin gates all the
 * steps together, the rescale uses one factor for all channels, channel dropping happens with 0.2
 * inside that coin (hence the paper's 0.16), and the spatial step transposes two random spatial
 * axes and flips one random axis of the input, undoing both on the output before the loss. This
 * class follows the paper's text and METHOD.md instead: independent coins, a factor per channel
 * ("each channel was randomly rescaled"), and flips of each axis applied to image and targets
 * (equivalent for the Dice loss to undoing them on the output). The transposition is left out: it
 * is not in the paper and needs cubic patches.
 */
public record AugmentationA(
    double rescaleProbability,
    double rescaleMin,
    double rescaleMax,
    double noiseProbability,
    double noiseStdFraction,
    double flipProbability,
    double flipAxisProbability,
    double channelDropProbability)
    implements Augmentation {

  /** The paper's settings. */
  public static final AugmentationA PAPER =
      new AugmentationA(0.8, 0.9, 1.1, 0.8, 0.1, 0.8, 0.5, 0.16);

  public AugmentationA {
    Augmentation.requireProbability("rescaleProbability", rescaleProbability);
    Augmentation.requireRange("rescale", rescaleMin, rescaleMax);
    Augmentation.requireProbability("noiseProbability", noiseProbability);
    if (!(noiseStdFraction >= 0)) {
      throw new IllegalArgumentException("noiseStdFraction must be >= 0, got " + noiseStdFraction);
    }
    Augmentation.requireProbability("flipProbability", flipProbability);
    Augmentation.requireProbability("flipAxisProbability", flipAxisProbability);
    Augmentation.requireProbability("channelDropProbability", channelDropProbability);
  }

  /**
   * The random decisions for one patch.
   *
   * @param scales per-channel factors, or null when the rescale does not fire
   * @param noise whether noise is added
   * @param noiseSeed seed of the noise streams (channel c uses {@code Seeds.child(noiseSeed, c)})
   * @param flips per spatial axis (x, y, z), whether it is mirrored
   * @param droppedChannel the channel set to zero, or -1
   */
  public record Plan(
      double[] scales, boolean noise, long noiseSeed, boolean[] flips, int droppedChannel) {
    public Plan {
      scales = scales == null ? null : scales.clone();
      flips = flips.clone();
    }

    @Override
    public double[] scales() {
      return scales == null ? null : scales.clone();
    }

    @Override
    public boolean[] flips() {
      return flips.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Plan p
          && Arrays.equals(scales, p.scales)
          && noise == p.noise
          && noiseSeed == p.noiseSeed
          && Arrays.equals(flips, p.flips)
          && droppedChannel == p.droppedChannel;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(scales) * 31 + Arrays.hashCode(flips) + Long.hashCode(noiseSeed);
    }

    @Override
    public String toString() {
      return "Plan[scales="
          + Arrays.toString(scales)
          + ", noise="
          + noise
          + ", flips="
          + Arrays.toString(flips)
          + ", droppedChannel="
          + droppedChannel
          + "]";
    }
  }

  /**
   * Draws a plan for a patch of {@code channels} image channels. Always {@code 7 + channels} draws,
   * in this order: rescale coin, one factor per channel, noise coin, noise seed, flip coin, three
   * axis coins, drop coin, dropped channel.
   */
  public Plan plan(int channels, RandomGenerator rng) {
    boolean rescale = rng.nextDouble() < rescaleProbability;
    double[] scales = new double[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = Augmentation.uniform(rng, rescaleMin, rescaleMax);
    }
    boolean noise = rng.nextDouble() < noiseProbability;
    long noiseSeed = rng.nextLong();
    boolean flip = rng.nextDouble() < flipProbability;
    boolean[] axes = new boolean[3];
    for (int a = 0; a < 3; a++) {
      axes[a] = rng.nextDouble() < flipAxisProbability && flip;
    }
    boolean drop = rng.nextDouble() < channelDropProbability;
    int channel = rng.nextInt(channels);
    return new Plan(rescale ? scales : null, noise, noiseSeed, axes, drop ? channel : -1);
  }

  @Override
  public TrainingPatch apply(TrainingPatch patch, RandomGenerator rng) {
    return apply(patch, plan(patch.image().channelCount(), rng));
  }

  /** Applies {@code plan} to {@code patch} (a new patch; the input is not modified). */
  public TrainingPatch apply(TrainingPatch patch, Plan plan) {
    MultiChannelVolume image = patch.image();
    Dims d = image.dims();
    float[][] ch = new float[image.channelCount()][];
    for (int c = 0; c < ch.length; c++) {
      ch[c] = image.channel(c);
      if (plan.scales != null) {
        ch[c] = scaled(ch[c], plan.scales[c]);
      }
      if (plan.noise) {
        ch[c] = noised(ch[c], noiseStdFraction * positiveStd(ch[c]), plan.noiseSeed, c);
      }
      if (SpatialFlip.any(plan.flips)) {
        ch[c] = SpatialFlip.flip(ch[c], d, plan.flips);
      }
      if (c == plan.droppedChannel) {
        ch[c] = new float[ch[c].length];
      }
    }
    return new TrainingPatch(
        new MultiChannelVolume(image.geometry(), ch), SpatialFlip.flip(patch.target(), plan.flips));
  }

  private static float[] scaled(float[] v, double factor) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] * factor);
    }
    return out;
  }

  /** Sample std (ddof = 1) of the positive values; 0 with fewer than two of them. */
  static double positiveStd(float[] v) {
    long n = 0;
    double sum = 0;
    for (float f : v) {
      if (f > 0) {
        n++;
        sum += f;
      }
    }
    if (n < 2) {
      return 0;
    }
    double mean = sum / n;
    double squares = 0;
    for (float f : v) {
      if (f > 0) {
        double dv = f - mean;
        squares += dv * dv;
      }
    }
    return Math.sqrt(squares / (n - 1));
  }

  static float[] noised(float[] v, double std, long noiseSeed, int channel) {
    float[] out = v.clone();
    if (std == 0) {
      return out;
    }
    SplittableRandom g = Seeds.random(Seeds.child(noiseSeed, channel));
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (out[i] + std * g.nextGaussian());
    }
    return out;
  }
}
