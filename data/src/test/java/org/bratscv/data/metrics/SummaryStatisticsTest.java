package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.bratscv.data.labels.Region;
import org.junit.jupiter.api.Test;

class SummaryStatisticsTest {

  @Test
  void leavesNanOutAndCountsOnlyTheRest() {
    SummaryStatistics s = SummaryStatistics.of(new double[] {4, Double.NaN, 1, 3, 2});
    assertEquals(4, s.n());
    assertEquals(2.5, s.mean(), 0);
    // population std: sqrt(((1.5)^2 + (0.5)^2 + (0.5)^2 + (1.5)^2) / 4) = sqrt(1.25)
    assertEquals(Math.sqrt(1.25), s.std(), 1e-15);
    assertEquals(2.5, s.median(), 0);
    assertEquals(1.75, s.q25(), 0);
    assertEquals(3.25, s.q75(), 0);
  }

  @Test
  void allNanGivesNoStatistics() {
    SummaryStatistics s = SummaryStatistics.of(new double[] {Double.NaN, Double.NaN});
    assertEquals(0, s.n());
    assertTrue(Double.isNaN(s.mean()));
    assertTrue(Double.isNaN(s.median()));
  }

  @Test
  void singleValueHasZeroSpread() {
    SummaryStatistics s = SummaryStatistics.of(new double[] {0.8});
    assertEquals(1, s.n());
    assertEquals(0.8, s.mean(), 0);
    assertEquals(0, s.std(), 0);
    assertEquals(0.8, s.q25(), 0);
    assertEquals(0.8, s.q75(), 0);
  }

  @Test
  void summarisesOneMetricOfOneRegionOverCases() {
    CaseMetrics a = caseWithEtSensitivity(0.5);
    CaseMetrics b = caseWithEtSensitivity(Double.NaN);
    CaseMetrics c = caseWithEtSensitivity(1.0);
    SummaryStatistics s = SummaryStatistics.of(List.of(a, b, c), Region.ET, Metric.SENSITIVITY);
    assertEquals(2, s.n());
    assertEquals(0.75, s.mean(), 0);
    assertEquals(0.25, s.std(), 0);
  }

  private static CaseMetrics caseWithEtSensitivity(double sens) {
    RegionMetrics et =
        new RegionMetrics(Region.ET, 1, 0, sens, 1, 1, 0, 0, 1, Double.NaN, Double.NaN);
    RegionMetrics tc = new RegionMetrics(Region.TC, 1, 0, 1, 1, 1, 0, 0, 1, Double.NaN, Double.NaN);
    RegionMetrics wt = new RegionMetrics(Region.WT, 1, 0, 1, 1, 1, 0, 0, 1, Double.NaN, Double.NaN);
    return new CaseMetrics(Map.of(Region.ET, et, Region.TC, tc, Region.WT, wt));
  }
}
