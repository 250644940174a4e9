package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bratscv.data.metrics.MetricConventions.Challenge;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class LesionWiseScorerTest {
  private static final Dims DIMS = new Dims(24, 12, 12);
  private static final double[] MM = {1, 1, 1};

  private static boolean[] empty() {
    return new boolean[DIMS.voxels()];
  }

  /** Sets the box [x0, x0 + sx) x [y0, y0 + sy) x [z0, z0 + sz). */
  private static boolean[] box(boolean[] m, int x0, int y0, int z0, int sx, int sy, int sz) {
    for (int z = z0; z < z0 + sz; z++) {
      for (int y = y0; y < y0 + sy; y++) {
        for (int x = x0; x < x0 + sx; x++) {
          m[x + DIMS.nx() * (y + DIMS.ny() * z)] = true;
        }
      }
    }
    return m;
  }

  private static LesionWiseScores score(boolean[] pred, boolean[] gt, Challenge c, double[] sp) {
    return new LesionWiseScorer().score(pred, gt, DIMS, sp, c, 374);
  }

  @Test
  void lesionsWhoseDilationsTouchAreOneLesion() {
    // two 4x4x4 cubes (64 mm³ each) three voxels apart; the prediction finds the first only
    boolean[] gt = box(box(empty(), 2, 4, 4, 4, 4, 4), 9, 4, 4, 4, 4, 4);
    boolean[] pred = box(empty(), 2, 4, 4, 4, 4, 4);
    // GLI dilates 3 times: the dilations overlap, one lesion of 128 voxels met by the prediction.
    // Dice 2 * 64 / (128 + 64). HD95: the first cube's surfels lie on the prediction (0); the
    // second cube's face farthest away (x = 13, 7 mm from the prediction's x = 6) holds 18.35 of
    // the 162.4 mm² of lesion surface, more than 5%: HD95 = 7.
    LesionWiseScores gli = score(pred, gt, Challenge.GLI, MM);
    assertEquals(2.0 * 64 / 192, gli.dice(), 1e-15);
    assertEquals(7.0, gli.hd95(), 1e-12);
    assertEquals(1, gli.truePositives());
    assertEquals(0, gli.falseNegatives());
    // MET dilates once: a voxel of gap stays, two lesions, the second missed (Dice 0, HD95 374)
    LesionWiseScores met = score(pred, gt, Challenge.MET, MM);
    assertEquals(0.5, met.dice(), 1e-15);
    assertEquals(374 / 2.0, met.hd95(), 1e-12);
    assertEquals(1, met.truePositives());
    assertEquals(1, met.falseNegatives());
  }

  @Test
  void aFalsePositiveSpeckAddsAnEntryWithDiceZeroAndHd95374() {
    boolean[] gt = box(empty(), 2, 2, 2, 4, 4, 4);
    boolean[] pred = box(box(empty(), 2, 2, 2, 4, 4, 4), 20, 10, 10, 1, 1, 1);
    LesionWiseScores s = score(pred, gt, Challenge.GLI, MM);
    // the lesion: Dice 1, HD95 0; the speck: Dice 0, HD95 374
    assertEquals(0.5, s.dice(), 1e-15);
    assertEquals(187, s.hd95(), 1e-12);
    assertEquals(1, s.falsePositives());
  }

  @Test
  void lesionsAtOrBelowTheVolumeThresholdAreLeftOutButWhatMeetsThemIsNoFalsePositive() {
    // a 4x4x4 lesion found, and a 3x3x3 (27 mm³) one far away that one predicted voxel meets
    boolean[] gt = box(box(empty(), 2, 2, 2, 4, 4, 4), 16, 6, 6, 3, 3, 3);
    boolean[] pred = box(box(empty(), 2, 2, 2, 4, 4, 4), 17, 7, 7, 1, 1, 1);
    LesionWiseScores gli = score(pred, gt, Challenge.GLI, MM);
    assertEquals(1.0, gli.dice(), 0);
    assertEquals(0.0, gli.hd95(), 0);
    assertEquals(1, gli.leftOut());
    assertEquals(0, gli.falsePositives());
    // MET's threshold is 2 mm³: the small lesion counts, Dice 2 * 1 / (27 + 1)
    LesionWiseScores met = score(pred, gt, Challenge.MET, MM);
    assertEquals((1 + 2.0 / 28) / 2, met.dice(), 1e-15);
    // exactly 50 mm³ (5x5x2) is left out, 51 is scored; with nothing predicted, no entry is left
    // for the first (Dice 1, HD95 0) and the second is a miss (Dice 0, HD95 374)
    LesionWiseScores fifty = score(empty(), box(empty(), 2, 2, 2, 5, 5, 2), Challenge.GLI, MM);
    assertEquals(1.0, fifty.dice(), 0);
    assertEquals(0.0, fifty.hd95(), 0);
    boolean[] fiftyOne = box(box(empty(), 2, 2, 2, 5, 5, 2), 7, 2, 2, 1, 1, 1);
    LesionWiseScores over = score(empty(), fiftyOne, Challenge.GLI, MM);
    assertEquals(0.0, over.dice(), 0);
    assertEquals(374.0, over.hd95(), 0);
  }

  @Test
  void theVolumeThresholdIsInCubicMillimetres() {
    // 27 voxels: 27 mm³ at 1 mm (left out), 54 mm³ at 1 x 1 x 2 mm (a missed lesion)
    boolean[] gt = box(empty(), 4, 4, 4, 3, 3, 3);
    assertEquals(1.0, score(empty(), gt, Challenge.GLI, MM).dice(), 0);
    LesionWiseScores aniso = score(empty(), gt, Challenge.GLI, new double[] {1, 1, 2});
    assertEquals(0.0, aniso.dice(), 0);
    assertEquals(374.0, aniso.hd95(), 0);
    assertEquals(1, aniso.falseNegatives());
  }

  @Test
  void emptyMasks() {
    // nothing on either side: no entry, Dice 1, HD95 0
    LesionWiseScores none = score(empty(), empty(), Challenge.GLI, MM);
    assertEquals(1.0, none.dice(), 0);
    assertEquals(0.0, none.hd95(), 0);
    // only the prediction: each component a false positive
    boolean[] twoSpecks = box(box(empty(), 1, 1, 1, 2, 2, 2), 10, 8, 8, 2, 2, 2);
    LesionWiseScores fp = score(twoSpecks, empty(), Challenge.GLI, MM);
    assertEquals(0.0, fp.dice(), 0);
    assertEquals(374.0, fp.hd95(), 0);
    assertEquals(2, fp.falsePositives());
    // only the ground truth, above the threshold: a false negative
    LesionWiseScores fn = score(empty(), box(empty(), 2, 2, 2, 4, 4, 4), Challenge.GLI, MM);
    assertEquals(0.0, fn.dice(), 0);
    assertEquals(374.0, fn.hd95(), 0);
  }
}
