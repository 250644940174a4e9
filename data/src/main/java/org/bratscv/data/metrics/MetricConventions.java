package org.bratscv.data.metrics;

import java.util.Locale;
import org.bratscv.data.labels.LabelScheme;

/**
 * How a BraTS evaluation scores a case: the convention of one challenge year. Both score Dice,
 * sensitivity and specificity per region (ET, TC, WT in the labels of the case's layout); they
 * differ in HD95 and in the lesion-wise scores:
 *
 * <ul>
 *   <li>{@code brats2020} (2020/2021): HD95 over surface voxels ({@link HausdorffDistance95}),
 *       373.13 mm (the image diagonal) when exactly one mask is empty; no lesion-wise scores;
 *       sensitivity undefined when the ground truth is empty;
 *   <li>{@code brats2023-<challenge>} (2023 on): HD95 over area-weighted surfels ({@link
 *       SurfaceHausdorff95}), 374 mm when exactly one mask is empty; lesion-wise Dice and HD95
 *       ({@link LesionWiseScorer}) with the challenge's dilation and volume threshold; sensitivity
 *       1 when both masks are empty, 0 when only the prediction has voxels.
 * </ul>
 *
 * Both masks empty is Dice 1, HD95 0 in both.
 *
 * @param edition which year's rules
 * @param challenge the BraTS 2023+ challenge whose lesion parameters apply; null for brats2020
 */
public record MetricConventions(Edition edition, Challenge challenge)
    implements java.io.Serializable {
  /** The two scoring rule sets. */
  public enum Edition {
    BRATS2020,
    BRATS2023
  }

  /**
   * The BraTS 2023+ challenges and their lesion-wise parameters.
   *
   * @param dilation iterations of the 18-neighbour dilation that merges nearby lesions
   * @param volumeThresholdMm3 lesions at or below this volume are not scored
   */
  public enum Challenge {
    GLI(3, 50),
    SSA(3, 50),
    PED(3, 50),
    MEN(1, 50),
    MET(1, 2);

    private final int dilation;
    private final double volumeThresholdMm3;

    Challenge(int dilation, double volumeThresholdMm3) {
      this.dilation = dilation;
      this.volumeThresholdMm3 = volumeThresholdMm3;
    }

    public int dilation() {
      return dilation;
    }

    public double volumeThresholdMm3() {
      return volumeThresholdMm3;
    }
  }

  /** BraTS 2020/2021. */
  public static final MetricConventions BRATS2020 = new MetricConventions(Edition.BRATS2020, null);

  /** BraTS 2023+, glioma (GLI) parameters. */
  public static final MetricConventions BRATS2023 =
      new MetricConventions(Edition.BRATS2023, Challenge.GLI);

  public MetricConventions {
    if (edition == null) {
      throw new IllegalArgumentException("metric convention needs an edition");
    }
    if ((edition == Edition.BRATS2023) != (challenge != null)) {
      throw new IllegalArgumentException(
          "brats2023 needs a challenge (gli, ssa, ped, men, met) and brats2020 takes none, got "
              + edition
              + " with "
              + challenge);
    }
  }

  /** The BraTS 2023+ convention with {@code challenge}'s parameters. */
  public static MetricConventions brats2023(Challenge challenge) {
    return new MetricConventions(Edition.BRATS2023, challenge);
  }

  /** HD95 in mm when exactly one mask is empty: 373.13 (brats2020) or 374 (brats2023). */
  public double emptyHd95() {
    return edition == Edition.BRATS2020 ? 373.13 : 374;
  }

  /** Whether lesion-wise Dice and HD95 are scored. */
  public boolean lesionWise() {
    return edition == Edition.BRATS2023;
  }

  /**
   * {@code brats2020} or {@code brats2023-gli}, {@code brats2023-met}, ...: what {@link #parse}
   * reads.
   */
  public String id() {
    return edition == Edition.BRATS2020
        ? "brats2020"
        : "brats2023-" + challenge.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return id();
  }

  /**
   * Parses {@code brats2020} (also {@code brats2021}), {@code brats2023} (GLI parameters) or {@code
   * brats2023-<challenge>} with challenge gli, ssa, ped, men or met ({@code brats2024} is read as
   * {@code brats2023}).
   */
  public static MetricConventions parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("brats2020") || t.equals("brats2021")) {
      return BRATS2020;
    }
    for (String year : new String[] {"brats2023", "brats2024"}) {
      if (t.equals(year)) {
        return BRATS2023;
      }
      if (t.startsWith(year + "-") || t.startsWith(year + ":")) {
        String c = t.substring(year.length() + 1).toUpperCase(Locale.ROOT);
        for (Challenge ch : Challenge.values()) {
          if (ch.name().equals(c)) {
            return brats2023(ch);
          }
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown metric convention '"
            + text
            + "'; expected brats2020 or brats2023[-gli|-ssa|-ped|-men|-met]");
  }

  /**
   * The convention that goes with an edition's labels: brats2023 (GLI) for the 2023/2024 schemes;
   * brats2020 for every other numbering (MSD, nnU-Net), whose data sets come from BraTS 2016-2021.
   */
  public static MetricConventions forScheme(LabelScheme scheme) {
    return scheme.equals(LabelScheme.BRATS2023) || scheme.equals(LabelScheme.BRATS2024)
        ? BRATS2023
        : BRATS2020;
  }

  /** The default, {@link #BRATS2020}. */
  public static MetricConventions defaults() {
    return BRATS2020;
  }
}
