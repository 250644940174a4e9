package org.bratscv.data.labels;

import java.util.Arrays;
import java.util.Locale;

/**
 * The labels a BraTS edition uses and how they form the regions ET, TC and WT. NCR/NET is 1 and
 * edema 2 everywhere; enhancing tumor is 4 up to 2021 and 3 from 2023 on. BraTS 2024 GLI adds 4 =
 * resection cavity, which is a valid label but belongs to no tumor region.
 */
public enum LabelScheme {
  BRATS2020(4, new int[] {0, 1, 2, 4}),
  BRATS2021(4, new int[] {0, 1, 2, 4}),
  BRATS2023(3, new int[] {0, 1, 2, 3}),
  BRATS2024(3, new int[] {0, 1, 2, 3, 4});

  public static final int BACKGROUND = 0;
  public static final int NECROTIC_CORE = 1;
  public static final int EDEMA = 2;

  private final int enhancing;
  private final int[] valid;

  LabelScheme(int enhancing, int[] valid) {
    this.enhancing = enhancing;
    this.valid = valid;
  }

  /** The enhancing-tumor label: 4 (2020/2021) or 3 (2023+). */
  public int enhancingLabel() {
    return enhancing;
  }

  /** Every label a ground-truth file of this edition may hold. */
  public int[] validLabels() {
    return valid.clone();
  }

  public boolean isValid(int label) {
    return Arrays.stream(valid).anyMatch(v -> v == label);
  }

  /** Labels that make up {@code region}: ET = {et}, TC = {1, et}, WT = {1, 2, et}. */
  public int[] labelsOf(Region region) {
    return switch (region) {
      case ET -> new int[] {enhancing};
      case TC -> new int[] {NECROTIC_CORE, enhancing};
      case WT -> new int[] {NECROTIC_CORE, EDEMA, enhancing};
    };
  }

  /** A 256-entry lookup: {@code table[label]} is true when the label belongs to {@code region}. */
  public boolean[] regionTable(Region region) {
    boolean[] t = new boolean[256];
    for (int l : labelsOf(region)) {
      t[l] = true;
    }
    return t;
  }

  /** Parses {@code brats2020}, {@code 2020}, {@code BRATS2023}, ... */
  public static LabelScheme parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (!t.startsWith("BRATS")) {
      t = "BRATS" + t;
    }
    try {
      return valueOf(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown label scheme '" + text + "'; expected one of " + Arrays.toString(values()), e);
    }
  }
}
