package org.bratscv.jobs.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.bratscv.model.infer.Precision;

/**
 * How an ensemble's outputs become labelmaps: the {@code ensemble.*} keys {@code tta}, {@code
 * threshold}, {@code merge}, {@code precision} and {@code brain_mask}. The one home of these five:
 * a run's configuration, a sweep's selected ensemble ({@code ensemble/config.yaml}) and a model
 * package's manifest carry them, {@code segment} and a run's {@code ensemble.models} override some,
 * and every labelmap's fingerprint holds them.
 *
 * @param tta test-time augmentations: 1 (none) or the method's 16
 * @param threshold the probability above which a region map is set, between 0 and 1
 * @param merge the two pipelines of the second pass (first one's labels kept), or empty
 * @param precision the float precision of the forward passes
 * @param brainMask region maps set to 0 outside the brain (voxels zero in every input channel,
 *     {@link org.bratscv.data.labels.BrainMask}) before thresholding; off in the method
 */
public record Labeling(
    int tta, double threshold, List<String> merge, Precision precision, boolean brainMask)
    implements Serializable {
  /** The keys of the {@code ensemble} section a labeling is made of, in the order above. */
  public static final List<String> KEYS =
      List.of("tta", "threshold", "merge", "precision", "brain_mask");

  public Labeling {
    merge = List.copyOf(merge);
    Objects.requireNonNull(precision, "precision");
    if (tta != 1 && tta != 16) {
      throw new ConfigException("ensemble.tta must be 1 (no augmentation) or 16, got " + tta);
    }
    if (!(threshold > 0 && threshold < 1)) {
      throw new ConfigException("ensemble.threshold must be between 0 and 1, got " + threshold);
    }
    if (!merge.isEmpty() && (merge.size() != 2 || merge.get(0).equals(merge.get(1)))) {
      throw new ConfigException(
          "ensemble.merge names the two pipelines of the second pass (first one's labels kept),"
              + " got "
              + merge);
    }
  }

  /**
   * The method's labeling of an ensemble of {@code pipelines}: 16 augmentations, threshold 0.5, the
   * merge of the two pipelines in their order when there are two, fp32, no brain mask.
   */
  public static Labeling defaults(Collection<String> pipelines) {
    return new Labeling(
        16,
        0.5,
        pipelines.size() == 2 ? new ArrayList<>(pipelines) : List.of(),
        Precision.FP32,
        false);
  }

  /**
   * The keys {@code ensemble} sets, and {@code otherwise}'s values for the others.
   *
   * @param ensemble the {@code ensemble} section of a configuration
   */
  public static Labeling read(Settings ensemble, Labeling otherwise) {
    String text = ensemble.string("precision", null);
    Precision precision = otherwise.precision;
    if (text != null) {
      try {
        precision = Precision.parse(text);
      } catch (IllegalArgumentException bad) {
        throw new ConfigException(ensemble.full("precision") + ": " + bad.getMessage());
      }
    }
    return new Labeling(
        ensemble.integer("tta", otherwise.tta),
        ensemble.number("threshold", otherwise.threshold),
        ensemble.strings("merge", otherwise.merge),
        precision,
        ensemble.flag("brain_mask", otherwise.brainMask));
  }

  /** {@code tree} with this labeling's five {@code ensemble.*} keys set. */
  public ConfigTree writeTo(ConfigTree tree) {
    return tree.with("ensemble.tta", tta)
        .with("ensemble.threshold", threshold)
        .with("ensemble.merge", merge)
        .with("ensemble.precision", precisionName())
        .with("ensemble.brain_mask", brainMask);
  }

  /** The precision as a configuration and a model package's manifest write it: fp32 or fp16. */
  public String precisionName() {
    return precision.name().toLowerCase(Locale.ROOT);
  }

  /** This labeling with {@code other}'s values for the {@code keys} (of {@link #KEYS}). */
  public Labeling takingFrom(Labeling other, Set<String> keys) {
    return new Labeling(
        keys.contains("tta") ? other.tta : tta,
        keys.contains("threshold") ? other.threshold : threshold,
        keys.contains("merge") ? other.merge : merge,
        keys.contains("precision") ? other.precision : precision,
        keys.contains("brain_mask") ? other.brainMask : brainMask);
  }

  /** This labeling without the merge where the ensemble lacks one of its two pipelines. */
  public Labeling mergingOnly(Collection<String> pipelines) {
    return pipelines.containsAll(merge)
        ? this
        : new Labeling(tta, threshold, List.of(), precision, brainMask);
  }
}
