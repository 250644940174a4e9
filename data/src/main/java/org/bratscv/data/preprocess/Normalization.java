package org.bratscv.data.preprocess;

import java.util.Locale;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * The two preprocessing pipelines of the paper, by their intensity normalisation: A = clip to the
 * 1st-99th percentile of non-zero voxels and min-max scale ({@link MinMaxPercentileNormalization}),
 * B = z-score of non-zero voxels ({@link ZScoreNormalization}).
 */
public enum Normalization {
  A(MinMaxPercentileNormalization.PAPER),
  B(ZScoreNormalization.PAPER);

  private final IntensityNormalization paperDefault;

  Normalization(IntensityNormalization paperDefault) {
    this.paperDefault = paperDefault;
  }

  /** The normalisation with the paper's settings. */
  public IntensityNormalization paperDefault() {
    return paperDefault;
  }

  /** Normalises every channel with the paper's settings. */
  public MultiChannelVolume apply(MultiChannelVolume volume) {
    return paperDefault.apply(volume);
  }

  /** Parses {@code A}, {@code b}, {@code minmax} (A) or {@code zscore} (B). */
  public static Normalization parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "a", "minmax", "min-max" -> A;
      case "b", "zscore", "z-score" -> B;
      default ->
          throw new IllegalArgumentException(
              "unknown normalisation '" + text + "'; expected A (minmax) or B (zscore)");
    };
  }
}
