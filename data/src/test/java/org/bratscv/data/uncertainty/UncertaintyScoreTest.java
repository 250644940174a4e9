package org.bratscv.data.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The QU-BraTS score on eight voxels, every number worked out by hand in the comments. */
class UncertaintyScoreTest {
  private static final double EPS = 1e-12;

  // voxel:        0  1  2  3  4  5  6  7
  // truth:        1  1  1  1  0  0  0  0
  // predicted:    1  1  1  0  1  0  0  0
  // uncertainty:  0 30 80 60 90  0 10 55
  // TP = {0, 1, 2}, FN = {3}, FP = {4}, TN = {5, 6, 7}
  private static final boolean[] TRUTH = {true, true, true, true, false, false, false, false};
  private static final boolean[] PREDICTED = {true, true, true, false, true, false, false, false};
  private static final byte[] UNCERTAINTY = {0, 30, 80, 60, 90, 0, 10, 55};

  private static boolean[] allBrain(int n) {
    boolean[] b = new boolean[n];
    Arrays.fill(b, true);
    return b;
  }

  private static void assertPoint(
      UncertaintyScore.Point p, int t, double dice, double ftp, double ftn) {
    assertEquals(t, p.threshold());
    assertEquals(dice, p.dice(), EPS, "Dice at " + t);
    assertEquals(ftp, p.ftp(), EPS, "FTP at " + t);
    assertEquals(ftn, p.ftn(), EPS, "FTN at " + t);
  }

  @Test
  void curvesAreasAndScoreOfAHandWorkedCase() {
    UncertaintyScore s = UncertaintyScore.of(TRUTH, PREDICTED, UNCERTAINTY, allBrain(8));
    List<UncertaintyScore.Point> p = s.points();
    // 100: nothing filtered: Dice 2*3/(4+4)
    assertPoint(p.get(0), 100, 0.75, 0, 0);
    // 75: voxels 2 (80) and 4 (90) out: TP {0,1}, FN {3}: Dice 4/5; one TP of three filtered
    assertPoint(p.get(1), 75, 0.8, 1.0 / 3, 0);
    // 50: 2, 3, 4, 7 out: TP {0,1} alone: Dice 1; TN 7 filtered
    assertPoint(p.get(2), 50, 1, 1.0 / 3, 1.0 / 3);
    // 25: 1 (30) out too: TP {0}
    assertPoint(p.get(3), 25, 1, 2.0 / 3, 1.0 / 3);
    // 0: 6 (10) out too: TN {5}
    assertPoint(p.get(4), 0, 1, 2.0 / 3, 2.0 / 3);
    // trapezoids of width 25 over 100:
    // Dice (0.775 + 0.9 + 1 + 1) / 4 = 0.91875; FTP (1/6 + 1/3 + 1/2 + 2/3) / 4 = 10/24;
    // FTN (0 + 1/6 + 1/3 + 1/2) / 4 = 1/4
    assertEquals(0.91875, s.diceAuc(), EPS);
    assertEquals(10.0 / 24, s.ftpAuc(), EPS);
    assertEquals(0.25, s.ftnAuc(), EPS);
    assertEquals((0.91875 + (1 - 10.0 / 24) + 0.75) / 3, s.score(), EPS);
  }

  @Test
  void trueNegativesAreCountedInsideTheBrainOnlyAndDiceEverywhere() {
    boolean[] brain = allBrain(8);
    brain[6] = false; // TN voxel 6 (uncertainty 10) lies outside the brain
    UncertaintyScore s = UncertaintyScore.of(TRUTH, PREDICTED, UNCERTAINTY, brain);
    // TN in brain {5, 7}: voxel 7 (55) filtered from 50 down: FTN 0, 0, 1/2, 1/2, 1/2
    double[] ftn = s.points().stream().mapToDouble(UncertaintyScore.Point::ftn).toArray();
    double[] expected = {0, 0, 0.5, 0.5, 0.5};
    for (int i = 0; i < 5; i++) {
      assertEquals(expected[i], ftn[i], EPS);
    }
    assertEquals((0 + 0.25 + 0.5 + 0.5) / 4, s.ftnAuc(), EPS);
    assertEquals(0.91875, s.diceAuc(), EPS);
  }

  @Test
  void voxelsExactlyAtTheThresholdAreKept() {
    // one TP with uncertainty exactly 50 and one with 51
    boolean[] t = {true, true};
    byte[] u = {50, 51};
    UncertaintyScore s = UncertaintyScore.of(t, t, u, allBrain(2));
    double[] ftp = s.points().stream().mapToDouble(UncertaintyScore.Point::ftp).toArray();
    // 100, 75: none filtered; 50: only 51 filtered; 25, 0: both
    assertEquals(List.of(0.0, 0.0, 0.5, 1.0, 1.0), Arrays.stream(ftp).boxed().toList());
  }

  @Test
  void emptyTruthAndPredictionScoreOneWhenCertain() {
    boolean[] none = new boolean[4];
    UncertaintyScore s = UncertaintyScore.of(none, none, new byte[4], allBrain(4));
    // Dice 1 everywhere (both empty), no TP (FTP 0), nothing filtered (FTN 0)
    assertEquals(1, s.diceAuc(), EPS);
    assertEquals(0, s.ftpAuc(), EPS);
    assertEquals(0, s.ftnAuc(), EPS);
    assertEquals(1, s.score(), EPS);
  }

  @Test
  void aFalsePositiveMarkedUncertainIsFilteredOutOfDice() {
    // truth empty, one predicted voxel with uncertainty 60 and one certain TN
    boolean[] truth = {false, false};
    boolean[] predicted = {true, false};
    byte[] u = {60, 0};
    UncertaintyScore s = UncertaintyScore.of(truth, predicted, u, allBrain(2));
    // Dice 0 at 100 and 75, 1 (both empty) from 50 on: (0 + 0.5 + 1 + 1) / 4
    assertEquals(0.625, s.diceAuc(), EPS);
    assertEquals(0, s.ftpAuc(), EPS); // no true positive
    assertEquals(0, s.ftnAuc(), EPS); // the true negative is certain
    assertEquals((0.625 + 1 + 1) / 3, s.score(), EPS);
  }

  @Test
  void mismatchedLengthsAndOutOfRangeValuesAreRefused() {
    boolean[] two = new boolean[2];
    assertThrows(
        IllegalArgumentException.class,
        () -> UncertaintyScore.of(two, new boolean[3], new byte[2], two));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> UncertaintyScore.of(two, two, new byte[] {0, (byte) 101}, two));
    assertEquals("uncertainty 101 at voxel 1 is outside 0..100", e.getMessage());
  }
}
