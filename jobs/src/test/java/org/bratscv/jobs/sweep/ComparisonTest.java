package org.bratscv.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bratscv.jobs.config.ConfigException;
import org.bratscv.jobs.stages.MetricRow;
import org.bratscv.jobs.stages.TrainingLossStage.CaseLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison table's statistics, the patient-removal rule and the sweep file's checks. */
class ComparisonTest {
  @TempDir Path dir;

  private static MetricRow row(String set, String id, String region, double dice, double hd) {
    MetricRow r = new MetricRow();
    r.setLabelmapSet(set);
    r.setCaseId(id);
    r.setRegion(region);
    r.setDice(dice);
    r.setHd95(hd);
    return r;
  }

  @Test
  void foldMeansStdChangeAndAnExactWilcoxonPValue() {
    List<MetricRow> base = new ArrayList<>();
    List<MetricRow> better = new ArrayList<>();
    Map<String, Integer> folds = new java.util.HashMap<>();
    for (int i = 0; i < 8; i++) {
      String id = "c" + i;
      folds.put(id, i % 2);
      for (String region : List.of("ET", "TC", "WT")) {
        base.add(row("oof-A", id, region, 0.5 + 0.01 * i, 10));
        // every case improves by a different amount: all 8 signed ranks positive
        better.add(row("oof-A", id, region, 0.5 + 0.01 * i + 0.01 * (i + 1), 10));
      }
    }
    Comparison.Scores b = new Comparison.Scores("unet", "oof-A", base);
    Comparison.Scores v = new Comparison.Scores("attention", "oof-A", better);
    List<Comparison.Row> rows = Comparison.compare(b, List.of(b, v), folds::get);
    assertEquals(2 * 3 * 2, rows.size());
    Comparison.Row et =
        rows.stream()
            .filter(
                r ->
                    r.variant().equals("attention")
                        && r.region().equals("ET")
                        && r.metric().equals("dice"))
            .findFirst()
            .orElseThrow();
    // fold 0 holds cases 0,2,4,6 (mean 0.53), fold 1 cases 1,3,5,7 (0.54) for the baseline
    assertEquals(0.535, et.baselineMean(), 1e-12);
    assertEquals(0.005, et.baselineStd(), 1e-12);
    assertEquals(2, et.folds());
    assertEquals(0.045, et.delta(), 1e-12);
    // exact two-sided signed-rank p-value with all 8 differences positive: 2 / 2^8
    assertEquals(2.0 / 256, et.pValue(), 1e-12);
    assertEquals(8, et.pairs());
    Comparison.Row hd =
        rows.stream()
            .filter(r -> r.variant().equals("attention") && r.metric().equals("hd95"))
            .findFirst()
            .orElseThrow();
    assertEquals(1.0, hd.pValue(), "identical values: no evidence of a difference");
    assertTrue(
        rows.stream()
            .filter(r -> r.variant().equals("unet"))
            .allMatch(r -> Double.isNaN(r.pValue())));
    String md = Comparison.markdown("t", rows);
    assertTrue(md.contains("| attention | 0.5800 (0.010) |"), md);
  }

  @Test
  void pairsWithoutADifferenceAreDroppedAsScipyAndRDo() {
    double[] x = {0.81, 0.75, 0.62, 0.90, 0.55, 0.70, 0.66, 0.80, 0.91, 0.40};
    double[] y = {0.80, 0.70, 0.62, 0.85, 0.50, 0.72, 0.60, 0.71, 0.83, 0.40};
    List<double[]> pairs = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      pairs.add(new double[] {x[i], y[i]});
    }
    // scipy 1.10: wilcoxon(x, y, method="exact") over the 8 pairs that differ = 0.0234375
    assertEquals(0.0234375, Comparison.wilcoxon(pairs), 1e-12);
    assertTrue(Double.isNaN(Comparison.wilcoxon(pairs.subList(0, 1))));
  }

  @Test
  void patientRemovalDropsTheCasesAboveTheQuantileOrThreshold() {
    List<CaseLoss> losses =
        List.of(
            new CaseLoss("a", 0.10, 4, null),
            new CaseLoss("b", 0.90, 4, null),
            new CaseLoss("c", 0.30, 4, null),
            new CaseLoss("d", 0.50, 4, null),
            new CaseLoss("e", Double.NaN, 0, "case e: unreadable"));
    PatientRemoval.Decision q =
        PatientRemoval.decide(losses, new SweepConfig.Removal("unet", 0.75, null));
    // numpy.quantile([0.1, 0.3, 0.5, 0.9], 0.75) = 0.6
    assertEquals(0.6, q.cutoff(), 1e-12);
    assertEquals(java.util.Set.of("b"), q.dropped());
    assertEquals(List.of("b", "d", "c", "a"), q.ranked().stream().map(r -> r.caseId()).toList());
    assertEquals(1, q.ranked().get(0).rank());
    PatientRemoval.Decision t =
        PatientRemoval.decide(losses, new SweepConfig.Removal("unet", null, 0.25));
    assertEquals(java.util.Set.of("b", "c", "d"), t.dropped());
    assertThrows(ConfigException.class, () -> new SweepConfig.Removal("unet", null, null));
    assertThrows(ConfigException.class, () -> new SweepConfig.Removal("unet", 1.5, null));
  }

  @Test
  void sweepFilesAreCheckedBeforeAnythingRuns() throws Exception {
    Files.writeString(
        dir.resolve("base.yaml"),
        "data: {train: /data/train}\noutput: /out\npipelines: {A: {}, B: {}}\n");
    Path sweep = dir.resolve("sweep.yaml");
    Files.writeString(
        sweep,
        "base: base.yaml\noutput: /sweeps\nbaseline: unet\n"
            + "set: {pipelines.B: null, ensemble.merge: []}\n"
            + "variants:\n  unet: {}\n  att: {set: {pipelines.A.network.attention: true}}\n"
            + "  rm: {removal: {from: unet, threshold: 0.4}}\n");
    SweepConfig c = SweepConfig.load(sweep, List.of("pipelines.A.epochs=3"));
    assertEquals(List.of("unet", "att", "rm"), List.copyOf(c.variants().keySet()));
    assertEquals(java.util.Set.of("A"), c.variants().get("att").config().pipelines().keySet());
    assertTrue(c.variants().get("att").config().pipelines().get("A").network().attention());
    assertEquals(3, c.variants().get("rm").config().pipelines().get("A").training().epochs());
    assertEquals("oof-A", c.compareSet(c.variants().get("unet")));

    Files.writeString(
        sweep,
        "base: base.yaml\noutput: /sweeps\nbaseline: unet\n"
            + "variants:\n  unet: {}\n  other: {set: {data.train: /elsewhere}}\n");
    ConfigException shared =
        assertThrows(ConfigException.class, () -> SweepConfig.load(sweep, List.of()));
    assertTrue(
        shared.getMessage().contains("variant other changes [data.train]"), shared.getMessage());

    Files.writeString(
        sweep, "base: base.yaml\noutput: /sweeps\nbaseline: nope\nvariants:\n  unet: {}\n");
    assertThrows(ConfigException.class, () -> SweepConfig.load(sweep, List.of()));
    Files.writeString(
        sweep, "base: base.yaml\noutput: /sweeps\nbaseline: unet\nvariants:\n  unet: {typo: 1}\n");
    ConfigException typo =
        assertThrows(ConfigException.class, () -> SweepConfig.load(sweep, List.of()));
    assertTrue(typo.getMessage().contains("typo"), typo.getMessage());
  }

  @Test
  void theShippedAblationSweepLoads() {
    Path file = Path.of("..", "conf", "ablation-nightly.yaml");
    SweepConfig c = SweepConfig.load(file, List.of());
    assertEquals(
        List.of("unet", "patient-removal", "attention"), List.copyOf(c.variants().keySet()));
    assertEquals(0.9, c.variants().get("patient-removal").removal().quantile());
    assertTrue(c.variants().get("attention").config().pipelines().get("A").network().attention());
    assertEquals(java.util.Set.of("A"), c.variants().get("unet").config().pipelines().keySet());
  }

  @Test
  void theComparedMetricsAreChosenAndTheTableTitleNamesTheConvention() {
    List<MetricRow> base = new ArrayList<>();
    List<MetricRow> other = new ArrayList<>();
    Map<String, Integer> folds = new java.util.HashMap<>();
    for (int i = 0; i < 4; i++) {
      String id = "c" + i;
      folds.put(id, i % 2);
      for (String region : List.of("ET", "TC", "WT")) {
        base.add(new MetricRow("oof-A", id, region, "brats2023-met", 0.8, 3, 1, 1, 0.5, 100 + i));
        other.add(new MetricRow("oof-A", id, region, "brats2023-met", 0.8, 3, 1, 1, 0.75, 50 + i));
      }
    }
    Comparison.Scores b = new Comparison.Scores("unet", "oof-A", base);
    Comparison.Scores v = new Comparison.Scores("attention", "oof-A", other);
    List<Comparison.Row> rows =
        Comparison.compare(b, List.of(b, v), folds::get, List.of("lesionwise_dice"));
    assertEquals(2 * 3, rows.size());
    Comparison.Row wt =
        rows.stream()
            .filter(r -> r.variant().equals("attention") && r.region().equals("WT"))
            .findFirst()
            .orElseThrow();
    assertEquals("lesionwise_dice", wt.metric());
    assertEquals(0.25, wt.delta(), 1e-12);
    assertEquals("brats2023-met", Comparison.conventions(b));
    String md =
        Comparison.markdown("Sweep s, metric convention " + Comparison.conventions(b), rows);
    assertTrue(md.startsWith("# Sweep s, metric convention brats2023-met"), md);
    assertTrue(md.contains("## Lesion-wise Dice: mean (std) over folds"), md);
  }
}
