package org.bratscv.data.uncertainty;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The BraTS 2020 uncertainty task's score of one region's uncertainty map (Mehta et al.,
 * "QU-BraTS", MELBA 2022; public evaluation code RagMeh11/QU-BraTS), computed here from its
 * definition:
 *
 * <ul>
 *   <li>for each threshold {@code t} of {@link #THRESHOLDS} (100, 75, 50, 25, 0) the voxels with
 *       uncertainty {@code > t} (strictly) are filtered out; at 100 none are, at 0 every voxel that
 *       is not fully certain is;
 *   <li>Dice of prediction and truth over the remaining voxels (the whole volume, not only the
 *       brain), 1 when both are empty there;
 *   <li>filtered true positives ratio {@code FTP = (TP - TP_kept) / TP} and filtered true negatives
 *       ratio {@code FTN = (TN - TN_kept) / TN}, true positives and negatives counted inside the
 *       brain mask only; 0 when there is no true positive (negative) at all (the reference divides
 *       by {@code TP + eps} in float32, which is {@code TP} for any {@code TP >= 1});
 *   <li>each curve's area over {@code 100 - t}, by the trapezoid rule, divided by 100 (so in [0,
 *       1]); score {@code = (AUC(Dice) + (1 - AUC(FTP)) + (1 - AUC(FTN))) / 3}.
 * </ul>
 *
 * A map that is certain everywhere scores {@code (Dice + 1 + 1) / 3}; marking the wrong voxels
 * uncertain raises the Dice curve, marking the right ones uncertain costs FTP and FTN.
 *
 * @param points the curves, one point per threshold in {@link #THRESHOLDS} order
 * @param diceAuc area under Dice
 * @param ftpAuc area under the filtered true positives ratio
 * @param ftnAuc area under the filtered true negatives ratio
 * @param score the task's combined score
 */
public record UncertaintyScore(
    List<Point> points, double diceAuc, double ftpAuc, double ftnAuc, double score)
    implements Serializable {
  /** The thresholds of the BraTS 2020 uncertainty task, in its order. */
  public static final List<Integer> THRESHOLDS = List.of(100, 75, 50, 25, 0);

  /** The three measures at one threshold. */
  public record Point(int threshold, double dice, double ftp, double ftn) implements Serializable {}

  public UncertaintyScore {
    points = List.copyOf(points);
  }

  /**
   * Scores one region.
   *
   * @param truth the region in the ground truth, one flag per voxel
   * @param predicted the region in the prediction
   * @param uncertainty the region's map, 0..100 per voxel (unsigned bytes)
   * @param brain the brain mask (where true and false negatives are counted)
   */
  public static UncertaintyScore of(
      boolean[] truth, boolean[] predicted, byte[] uncertainty, boolean[] brain) {
    int n = truth.length;
    if (predicted.length != n || uncertainty.length != n || brain.length != n) {
      throw new IllegalArgumentException(
          "uncertainty score: truth has "
              + n
              + " voxels but prediction "
              + predicted.length
              + ", uncertainty "
              + uncertainty.length
              + ", brain mask "
              + brain.length);
    }
    // Counts per uncertainty value, so each threshold is a prefix sum, not another pass.
    long[] both = new long[256];
    long[] predOnly = new long[256];
    long[] truthOnly = new long[256];
    long[] tpBrain = new long[256];
    long[] tnBrain = new long[256];
    for (int i = 0; i < n; i++) {
      int u = uncertainty[i] & 0xFF;
      if (u > UncertaintyMaps.MAX) {
        throw new IllegalArgumentException(
            "uncertainty " + u + " at voxel " + i + " is outside 0.." + UncertaintyMaps.MAX);
      }
      boolean p = predicted[i];
      boolean t = truth[i];
      if (p && t) {
        both[u]++;
        if (brain[i]) {
          tpBrain[u]++;
        }
      } else if (p) {
        predOnly[u]++;
      } else if (t) {
        truthOnly[u]++;
      } else if (brain[i]) {
        tnBrain[u]++;
      }
    }
    long tp = sum(tpBrain, UncertaintyMaps.MAX);
    long tn = sum(tnBrain, UncertaintyMaps.MAX);
    List<Point> points = new ArrayList<>();
    for (int t : THRESHOLDS) {
      long inter = sum(both, t);
      long sizes = 2 * inter + sum(predOnly, t) + sum(truthOnly, t);
      double dice = sizes == 0 ? 1 : 2.0 * inter / sizes;
      double ftp = tp == 0 ? 0 : (double) (tp - sum(tpBrain, t)) / tp;
      double ftn = tn == 0 ? 0 : (double) (tn - sum(tnBrain, t)) / tn;
      points.add(new Point(t, dice, ftp, ftn));
    }
    double diceAuc = auc(points.stream().mapToDouble(Point::dice).toArray());
    double ftpAuc = auc(points.stream().mapToDouble(Point::ftp).toArray());
    double ftnAuc = auc(points.stream().mapToDouble(Point::ftn).toArray());
    return new UncertaintyScore(
        points, diceAuc, ftpAuc, ftnAuc, (diceAuc + (1 - ftpAuc) + (1 - ftnAuc)) / 3);
  }

  /** Voxels with uncertainty {@code <= t}: the ones kept at threshold {@code t}. */
  private static long sum(long[] counts, int t) {
    long s = 0;
    for (int u = 0; u <= t; u++) {
      s += counts[u];
    }
    return s;
  }

  /**
   * Trapezoid area of {@code y} (one value per threshold of {@link #THRESHOLDS}) over {@code 100 -
   * t}, divided by 100.
   */
  public static double auc(double[] y) {
    if (y.length != THRESHOLDS.size()) {
      throw new IllegalArgumentException(
          "one value per threshold " + THRESHOLDS + " needed, got " + y.length);
    }
    double area = 0;
    for (int i = 1; i < y.length; i++) {
      double width = Math.abs(THRESHOLDS.get(i) - THRESHOLDS.get(i - 1));
      area += width * (y[i] + y[i - 1]) / 2;
    }
    return area / 100;
  }
}
