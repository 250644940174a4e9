package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.labels.RegionMasks;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.junit.jupiter.api.Test;

class CaseMetricsTest {
  private static final Geometry LINE = Geometry.isotropic(new Dims(10, 1, 1));

  private static LabelVolume labels(Geometry g, int... l) {
    byte[] b = new byte[l.length];
    for (int i = 0; i < l.length; i++) {
      b[i] = (byte) l[i];
    }
    return new LabelVolume(g, b);
  }

  // gt WT = voxels 1..7, TC = 3..6, ET = 4..5; pred WT = 2..8, TC = 3..6, ET = 4.
  private static final int[] GT = {0, 2, 2, 1, 4, 4, 1, 2, 0, 0};
  private static final int[] PRED = {0, 0, 2, 1, 4, 1, 1, 2, 2, 0};

  @Test
  void handSizedCaseGivesHandComputedScores() {
    CaseMetrics m =
        CaseMetrics.compute(
            labels(LINE, PRED),
            labels(LINE, GT),
            LabelScheme.BRATS2020,
            MetricConventions.BRATS2020);
    RegionMetrics wt = m.get(Region.WT);
    assertEquals(6, wt.tp());
    assertEquals(1, wt.fp());
    assertEquals(1, wt.fn());
    assertEquals(2, wt.tn());
    assertEquals(6.0 / 7, wt.dice(), 1e-15);
    assertEquals(6.0 / 7, wt.sensitivity(), 1e-15);
    assertEquals(2.0 / 3, wt.specificity(), 1e-15);
    // every voxel of a 10x1x1 volume is surface; six distances 0 and one 1: 0.95 * 6 = 5.7
    assertEquals(0.7, wt.hd95(), 1e-12);

    RegionMetrics tc = m.get(Region.TC);
    assertEquals(1, tc.dice(), 0);
    assertEquals(0, tc.hd95(), 0);
    assertEquals(1, tc.sensitivity(), 0);
    assertEquals(1, tc.specificity(), 0);

    RegionMetrics et = m.get(Region.ET);
    assertEquals(2.0 / 3, et.dice(), 1e-15);
    assertEquals(0.5, et.sensitivity(), 0);
    assertEquals(1, et.specificity(), 0);
    // gt -> pred distances 0 and 1: 0.95
    assertEquals(0.95, et.hd95(), 1e-12);
  }

  @Test
  void spacingComesFromTheGroundTruth() {
    Geometry g = new Geometry(new Dims(10, 1, 1), new double[] {2, 1, 1}, Affine.scaling(2, 1, 1));
    CaseMetrics m =
        CaseMetrics.compute(
            labels(g, PRED), labels(g, GT), LabelScheme.BRATS2020, MetricConventions.BRATS2020);
    assertEquals(1.9, m.get(Region.ET, Metric.HD95), 1e-12);
    assertEquals(1.4, m.get(Region.WT, Metric.HD95), 1e-12);
  }

  @Test
  void emptyGroundTruthRegionFollowsTheBratsConvention() {
    int[] gtNoEt = {0, 2, 2, 1, 1, 1, 1, 2, 0, 0};
    CaseMetrics m =
        CaseMetrics.compute(
            labels(LINE, PRED),
            labels(LINE, gtNoEt),
            LabelScheme.BRATS2020,
            MetricConventions.BRATS2020);
    RegionMetrics et = m.get(Region.ET);
    assertEquals(0, et.dice(), 0);
    assertEquals(373.13, et.hd95(), 0);
    assertTrue(Double.isNaN(et.sensitivity()));
    assertEquals(0.9, et.specificity(), 1e-15);

    CaseMetrics m2023 =
        CaseMetrics.compute(
            labels(LINE, PRED),
            labels(LINE, gtNoEt),
            LabelScheme.BRATS2020,
            MetricConventions.BRATS2023);
    assertEquals(374, m2023.get(Region.ET, Metric.HD95), 0);
  }

  @Test
  void bothEmptyIsAPerfectScoreWithUndefinedSensitivity() {
    int[] none = new int[10];
    CaseMetrics m =
        CaseMetrics.compute(
            labels(LINE, none),
            labels(LINE, none),
            LabelScheme.BRATS2020,
            MetricConventions.BRATS2020);
    for (Region r : Region.values()) {
      assertEquals(1, m.get(r, Metric.DICE), 0);
      assertEquals(0, m.get(r, Metric.HD95), 0);
      assertTrue(Double.isNaN(m.get(r, Metric.SENSITIVITY)));
      assertEquals(1, m.get(r, Metric.SPECIFICITY), 0);
    }
  }

  @Test
  void groundTruthCoveringEveryVoxelHasUndefinedSpecificity() {
    int[] all = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    CaseMetrics m =
        CaseMetrics.compute(
            labels(LINE, all),
            labels(LINE, all),
            LabelScheme.BRATS2020,
            MetricConventions.BRATS2020);
    assertTrue(Double.isNaN(m.get(Region.WT, Metric.SPECIFICITY)));
    assertEquals(1, m.get(Region.WT, Metric.DICE), 0);
  }

  @Test
  void usesThe2023EnhancingLabelAndIgnoresThe2024Cavity() {
    int[] gt = {0, 2, 2, 1, 3, 3, 1, 2, 0, 0};
    int[] pred = {4, 0, 2, 1, 3, 1, 1, 2, 2, 4}; // 4 = resection cavity, not tumor
    CaseMetrics m =
        CaseMetrics.compute(
            labels(LINE, pred),
            labels(LINE, gt),
            LabelScheme.BRATS2024,
            MetricConventions.BRATS2023);
    assertEquals(2.0 / 3, m.get(Region.ET, Metric.DICE), 1e-15);
    assertEquals(6.0 / 7, m.get(Region.WT, Metric.DICE), 1e-15);
    assertEquals(2, m.get(Region.WT).tn());
  }

  @Test
  void rejectsLabelsTheSchemeDoesNotUse() {
    int[] pred2023 = {0, 0, 2, 1, 3, 1, 1, 2, 2, 0};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CaseMetrics.compute(
                    labels(LINE, pred2023),
                    labels(LINE, GT),
                    LabelScheme.BRATS2020,
                    MetricConventions.BRATS2020));
    assertTrue(
        e.getMessage().startsWith("prediction holds label(s) 3 that BRATS2020"), e.getMessage());
  }

  @Test
  void rejectsPredictionsOnAnotherGrid() {
    LabelVolume gt = labels(LINE, GT);
    LabelVolume shorter = labels(Geometry.isotropic(new Dims(5, 2, 1)), GT);
    IllegalArgumentException dims =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CaseMetrics.compute(
                    shorter, gt, LabelScheme.BRATS2020, MetricConventions.BRATS2020));
    assertEquals("prediction has dims 5x2x1 but ground truth has 10x1x1", dims.getMessage());
    Geometry shifted =
        new Geometry(
            new Dims(10, 1, 1), new double[] {1, 1, 1}, Affine.scaling(1, 1, 1).shiftedBy(1, 0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CaseMetrics.compute(
                labels(shifted, PRED), gt, LabelScheme.BRATS2020, MetricConventions.BRATS2020));
    Geometry coarser =
        new Geometry(new Dims(10, 1, 1), new double[] {1, 1, 2}, Affine.scaling(1, 1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            CaseMetrics.compute(
                labels(coarser, PRED), gt, LabelScheme.BRATS2020, MetricConventions.BRATS2020));
  }

  @Test
  void agreesWithMaskByMaskComputationOnRandomLabelmaps() {
    Dims d = new Dims(14, 12, 9);
    Geometry g = new Geometry(d, new double[] {1, 1.5, 3}, Affine.scaling(1, 1.5, 3));
    int[] palette = {0, 1, 2, 4};
    CaseEvaluator evaluator = new CaseEvaluator(LabelScheme.BRATS2020, MetricConventions.BRATS2020);
    for (long seed = 1; seed <= 5; seed++) {
      Random rnd = new Random(seed);
      LabelVolume pred = randomLabels(g, rnd, palette);
      LabelVolume gt = randomLabels(g, rnd, palette);
      CaseMetrics m = evaluator.evaluate(pred, gt);
      for (Region r : Region.values()) {
        boolean[] p = RegionMasks.of(pred, r, LabelScheme.BRATS2020);
        boolean[] t = RegionMasks.of(gt, r, LabelScheme.BRATS2020);
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < p.length; i++) {
          tp += p[i] && t[i] ? 1 : 0;
          fp += p[i] && !t[i] ? 1 : 0;
          fn += !p[i] && t[i] ? 1 : 0;
        }
        RegionMetrics rm = m.get(r);
        assertEquals(tp, rm.tp());
        assertEquals(fp, rm.fp());
        assertEquals(fn, rm.fn());
        assertEquals(p.length - tp - fp - fn, rm.tn());
        assertEquals(BruteForce.hd95(p, t, d, g.spacing()), rm.hd95(), 1e-9, "seed " + seed);
      }
    }
  }

  @Test
  void jsonHasOneObjectPerRegionWithNullForUndefined() {
    int[] gtNoEt = {0, 2, 2, 1, 1, 1, 1, 2, 0, 0};
    int[] predNoEt = {0, 0, 2, 1, 1, 1, 1, 2, 2, 0};
    CaseMetrics m =
        CaseMetrics.compute(
            labels(LINE, predNoEt),
            labels(LINE, gtNoEt),
            LabelScheme.BRATS2020,
            MetricConventions.BRATS2020);
    assertEquals(
        "{\"ET\":{\"dice\":1.0,\"hd95\":0.0,\"sensitivity\":null,\"specificity\":1.0},"
            + "\"TC\":{\"dice\":1.0,\"hd95\":0.0,\"sensitivity\":1.0,\"specificity\":1.0},"
            + "\"WT\":{\"dice\":"
            + (6.0 / 7)
            + ",\"hd95\":"
            + m.get(Region.WT, Metric.HD95)
            + ",\"sensitivity\":"
            + (6.0 / 7)
            + ",\"specificity\":"
            + (2.0 / 3)
            + "}}",
        m.toJson().toString());
  }

  private static LabelVolume randomLabels(Geometry g, Random rnd, int[] palette) {
    Dims d = g.dims();
    byte[] out = new byte[d.voxels()];
    // a few random boxes of random labels: blob-like regions plus some noise
    for (int k = 0; k < 6; k++) {
      int x0 = rnd.nextInt(d.nx());
      int y0 = rnd.nextInt(d.ny());
      int z0 = rnd.nextInt(d.nz());
      int x1 = Math.min(d.nx(), x0 + 1 + rnd.nextInt(7));
      int y1 = Math.min(d.ny(), y0 + 1 + rnd.nextInt(7));
      int z1 = Math.min(d.nz(), z0 + 1 + rnd.nextInt(5));
      byte l = (byte) palette[rnd.nextInt(palette.length)];
      for (int z = z0; z < z1; z++) {
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            out[d.index(x, y, z)] = l;
          }
        }
      }
    }
    for (int i = 0; i < out.length; i++) {
      if (rnd.nextDouble() < 0.02) {
        out[i] = (byte) palette[rnd.nextInt(palette.length)];
      }
    }
    return new LabelVolume(g, out);
  }

  @Test
  void brats2023ScoresEmptyRegionsAsTheChallengeCodeDoes() {
    // 2023 labels (ET = 3): gt has no ET; pred has one ET voxel; neither has label 1 outside ET
    int[] gt = {0, 2, 2, 2, 0, 0, 0, 0, 0, 0};
    int[] pred = {0, 2, 2, 3, 0, 0, 0, 0, 0, 0};
    CaseMetrics m =
        CaseMetrics.compute(
            labels(LINE, pred),
            labels(LINE, gt),
            LabelScheme.BRATS2023,
            MetricConventions.BRATS2023);
    RegionMetrics et = m.get(Region.ET);
    assertEquals(0, et.dice(), 0);
    assertEquals(374, et.hd95(), 0);
    assertEquals(0, et.sensitivity(), 0); // brats2020 leaves it undefined
    assertEquals(0, et.lesionwiseDice(), 0); // one false positive
    assertEquals(374, et.lesionwiseHd95(), 0);
    RegionMetrics wt = m.get(Region.WT);
    assertEquals(1, wt.dice(), 0);
    assertEquals(0, wt.hd95(), 0);
    // the 3-voxel lesion (3 mm³) is at or below GLI's 50 mm³: no entry, Dice 1, HD95 0
    assertEquals(1, wt.lesionwiseDice(), 0);
    assertEquals(0, wt.lesionwiseHd95(), 0);
  }
}
