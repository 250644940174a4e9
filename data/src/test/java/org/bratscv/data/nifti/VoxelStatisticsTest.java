package org.bratscv.data.nifti;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VoxelStatisticsTest {
  @Test
  void countsNonzeroAndLeavesNanOutOfTheSummary() {
    VoxelStatistics s = VoxelStatistics.of(new double[] {0, -2, Double.NaN, 5, 0, 3});

    assertEquals(6, s.count());
    assertEquals(1, s.nanCount());
    assertEquals(3, s.nonzeroCount());
    assertEquals(-2, s.min());
    assertEquals(5, s.max());
    assertEquals(6, s.sum());
    assertEquals(1.2, s.mean(), 1e-15);
  }

  @Test
  void compensatedSumKeepsSmallTermsNextToLargeOnes() {
    // naive left-to-right summation loses every 1 next to 1e16 and returns 0
    VoxelStatistics s = VoxelStatistics.of(new double[] {1e16, 1, 1, 1, 1, -1e16});

    assertEquals(4, s.sum());
  }

  @Test
  void allNanGivesNanSummary() {
    VoxelStatistics s = VoxelStatistics.of(new double[] {Double.NaN, Double.NaN});

    assertEquals(2, s.nanCount());
    assertEquals(Double.NaN, s.min());
    assertEquals(Double.NaN, s.sum());
    assertEquals(Double.NaN, s.mean());
  }

  @Test
  void infiniteVoxelMakesAnInfiniteSum() {
    assertEquals(
        Double.POSITIVE_INFINITY,
        VoxelStatistics.of(new double[] {1, Double.POSITIVE_INFINITY, 2}).sum());
  }
}
