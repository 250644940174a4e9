package org.bratscv.data.metrics;

/**
 * The four per-region scores a case gets, with the key each has in the metrics JSON and result
 * tables.
 */
public enum Metric {
  DICE("dice"),
  HD95("hd95"),
  SENSITIVITY("sensitivity"),
  SPECIFICITY("specificity");

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
    };
  }
}
