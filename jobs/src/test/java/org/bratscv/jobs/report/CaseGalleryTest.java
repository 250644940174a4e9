package org.bratscv.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.bratscv.jobs.stages.MetricRow;
import org.junit.jupiter.api.Test;

class CaseGalleryTest {
  @Test
  void bestMedianAndWorstAreRankedByMeanDice() {
    List<MetricRow> s =
        List.of(
            score("oof-merged", "a", "ET", 0.9, 1),
            score("oof-merged", "a", "TC", 0.9, 1),
            score("oof-merged", "a", "WT", 0.9, 1),
            score("oof-merged", "b", "ET", 0.1, 1),
            score("oof-merged", "b", "TC", 0.5, 1),
            score("oof-merged", "b", "WT", 0.9, 1), // mean 0.5
            score("oof-merged", "c", "ET", 0.0, 1),
            score("oof-merged", "c", "TC", 0.3, 1),
            score("oof-merged", "c", "WT", 0.3, 1), // mean 0.2
            score("oof-merged", "d", "ET", 1.0, 1),
            score("oof-merged", "d", "TC", 0.5, 1),
            score("oof-merged", "d", "WT", 0.6, 1), // mean 0.7
            score("oof-A", "e", "ET", 1.0, 1));
    assertEquals("oof-merged", CaseGallery.mainSet(s));
    List<CaseGallery.Pick> p = CaseGallery.pick(s, "oof-merged");
    assertEquals(
        List.of("best", "median", "worst"), p.stream().map(CaseGallery.Pick::rank).toList());
    assertEquals(List.of("a", "d", "c"), p.stream().map(CaseGallery.Pick::caseId).toList());
    assertEquals(0.7, p.get(1).meanDice(), 1e-12);
    assertEquals(Map.of("ET", 1.0, "TC", 0.5, "WT", 0.6), p.get(1).dice());
    assertEquals(
        "test-merged",
        CaseGallery.mainSet(
            List.of(score("test-merged", "x", "ET", 1, 0), score("oof-merged", "x", "ET", 1, 0))));
  }

  @Test
  void twoCasesAreBestAndMedianThenWorst() {
    List<MetricRow> s = new java.util.ArrayList<>();
    for (String r : List.of("ET", "TC", "WT")) {
      s.add(score("oof-A", "low", r, 0.2, 1));
      s.add(score("oof-A", "high", r, 0.8, 1));
    }
    s.add(score("oof-A", "incomplete", "ET", 1.0, 1));
    List<CaseGallery.Pick> p = CaseGallery.pick(s, "oof-A");
    assertEquals(
        List.of("best and median", "worst"), p.stream().map(CaseGallery.Pick::rank).toList());
    assertEquals(List.of("high", "low"), p.stream().map(CaseGallery.Pick::caseId).toList());
  }

  private static MetricRow score(String set, String id, String region, double dice, double hd95) {
    return new MetricRow(set, id, region, dice, hd95, Double.NaN, Double.NaN);
  }
}
