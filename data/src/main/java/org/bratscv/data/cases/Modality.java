package org.bratscv.data.cases;

/**
 * The four MRI sequences of a BraTS case, in the canonical channel order of the network: T1, T1Gd
 * (contrast-enhanced T1), T2, FLAIR.
 */
public enum Modality {
  T1,
  T1GD,
  T2,
  FLAIR;

  public int channel() {
    return ordinal();
  }
}
