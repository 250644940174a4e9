package org.bratscv.data.labels;

/**
 * The three nested tumor regions BraTS scores, in the order of the network's output channels:
 * enhancing tumor, tumor core, whole tumor. Which labels form each region depends on the {@link
 * LabelScheme}.
 */
public enum Region {
  ET,
  TC,
  WT;

  /** Output channel of this region (0, 1, 2). */
  public int channel() {
    return ordinal();
  }
}
