package org.bratscv.data.metrics;

import java.util.List;

/**
 * The per-region scores a case gets, with the key each has in the metrics JSON and result tables.
 * Dice, HD95, sensitivity and specificity under every convention; the lesion-wise Dice and HD95
 * under {@code brats2023} only (see {@link MetricConventions}).
 */
public enum Metric {
  DICE("dice"),
  HD95("hd95"),
  SENSITIVITY("sensitivity"),
  SPECIFICITY("specificity"),
  LESIONWISE_DICE("lesionwise_dice"),
  LESIONWISE_HD95("lesionwise_hd95");

  /** The metrics {@code conventions} scores, in table order. */
  public static List<Metric> scoredUnder(MetricConventions conventions) {
    return conventions.lesionWise()
        ? List.of(values())
        : List.of(DICE, HD95, SENSITIVITY, SPECIFICITY);
  }

  /** Parses a key such as {@code dice} or {@code lesionwise_hd95}. */
  public static Metric parse(String key) {
    for (Metric m : values()) {
      if (m.key.equals(key)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown metric '" + key + "'; expected one of " + java.util.Arrays.toString(keys()));
  }

  private static String[] keys() {
    return java.util.Arrays.stream(values()).map(Metric::key).toArray(String[]::new);
  }

  /** Whether lower values are better (the distances). */
  public boolean lowerIsBetter() {
    return this == HD95 || this == LESIONWISE_HD95;
  }

  private final String key;

  Metric(String key) {
    this.key = key;
  }

  /** Lower-case name used in JSON and table columns. */
  public String key() {
    return key;
  }

  /** This metric's value in {@code m}; NaN where it is undefined. */
  public double of(RegionMetrics m) {
    return switch (this) {
      case DICE -> m.dice();
      case HD95 -> m.hd95();
      case SENSITIVITY -> m.sensitivity();
      case SPECIFICITY -> m.specificity();
      case LESIONWISE_DICE -> m.lesionwiseDice();
      case LESIONWISE_HD95 -> m.lesionwiseHd95();
    };
  }
}
