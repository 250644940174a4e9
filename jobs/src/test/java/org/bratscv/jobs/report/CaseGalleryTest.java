package org.bratscv.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.bratscv.jobs.report.ResultTables.CaseScore;
import org.junit.jupiter.api.Test;

class CaseGalleryTest {
  @Test
  void bestMedianAndWorstAreRankedByMeanDice() {
    List<CaseScore> s =
        List.of(
            new CaseScore("oof-merged", "a", "ET", 0.9, 1),
            new CaseScore("oof-merged", "a", "TC", 0.9, 1),
            new CaseScore("oof-merged", "a", "WT", 0.9, 1),
            new CaseScore("oof-merged", "b", "ET", 0.1, 1),
            new CaseScore("oof-merged", "b", "TC", 0.5, 1),
            new CaseScore("oof-merged", "b", "WT", 0.9, 1), // mean 0.5
            new CaseScore("oof-merged", "c", "ET", 0.0, 1),
            new CaseScore("oof-merged", "c", "TC", 0.3, 1),
            new CaseScore("oof-merged", "c", "WT", 0.3, 1), // mean 0.2
            new CaseScore("oof-merged", "d", "ET", 1.0, 1),
            new CaseScore("oof-merged", "d", "TC", 0.5, 1),
            new CaseScore("oof-merged", "d", "WT", 0.6, 1), // mean 0.7
            new CaseScore("oof-A", "e", "ET", 1.0, 1));
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
            List.of(
                new CaseScore("test-merged", "x", "ET", 1, 0),
                new CaseScore("oof-merged", "x", "ET", 1, 0))));
  }

  @Test
  void twoCasesAreBestAndMedianThenWorst() {
    List<CaseScore> s = new java.util.ArrayList<>();
    for (String r : List.of("ET", "TC", "WT")) {
      s.add(new CaseScore("oof-A", "low", r, 0.2, 1));
      s.add(new CaseScore("oof-A", "high", r, 0.8, 1));
    }
    s.add(new CaseScore("oof-A", "incomplete", "ET", 1.0, 1));
    List<CaseGallery.Pick> p = CaseGallery.pick(s, "oof-A");
    assertEquals(
        List.of("best and median", "worst"), p.stream().map(CaseGallery.Pick::rank).toList());
    assertEquals(List.of("high", "low"), p.stream().map(CaseGallery.Pick::caseId).toList());
  }
}
