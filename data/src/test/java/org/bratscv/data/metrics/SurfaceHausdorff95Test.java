package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class SurfaceHausdorff95Test {
  private static final Dims SLAB = new Dims(2, 2, 1);
  // a 2x2x1 slab and one of its voxels
  private static final byte[] FOUR = {1, 1, 1, 1};
  private static final byte[] ONE = {1, 0, 0, 0};

  @Test
  void surfelAreasDecideThe95thPercentileWhereCountingCornersWouldNot() {
    // The slab's 18 surfels (corners x, y in 0..2, z in 0..1) to the voxel's 8 corners: 8 at
    // distance 0 (areas 2 x 1, 4 x sqrt(1/2), 2 x sqrt(3)/8), 8 at 1 (4 x sqrt(1/2), 4 x
    // sqrt(3)/8), 2 at sqrt(2) (sqrt(3)/8 each). The last two hold 0.433 of 9.389 mm², under 5%,
    // so the area-weighted 95th percentile is 1; counted one per corner they are 2 of 18 (11%),
    // which would give sqrt(2). The voxel's corners all lie on the slab's surface: 0 back.
    SurfaceHausdorff95 h = new SurfaceHausdorff95();
    assertEquals(1.0, h.compute(FOUR, ONE, SLAB, new double[] {1, 1, 1}), 1e-12);
    assertEquals(1.0, h.compute(ONE, FOUR, SLAB, new double[] {1, 1, 1}), 1e-12);
    // brats2020's voxel-surface HD95 of the same masks interpolates 0, 1, 1, sqrt(2) at 2.85
    HausdorffDistance95.Result voxels =
        new HausdorffDistance95()
            .compute(
                new boolean[] {true, true, true, true},
                new boolean[] {true, false, false, false},
                SLAB,
                new double[] {1, 1, 1},
                373.13);
    assertEquals(1 + 0.85 * (Math.sqrt(2) - 1), voxels.hd95(), 1e-12);
  }

  @Test
  void anisotropicSpacingScalesDistancesAndAreas() {
    // spacing (1, 2, 1): the slab's surfels at distance 0 weigh 9.81 mm², at 1 (x + 1) 3.58, at
    // 2 (y + 1) 2.99, at sqrt(5) 0.75, of 17.13: 95% is reached in the group at 2 mm, while
    // counting corners (2 of 18 at sqrt(5)) would give sqrt(5)
    SurfaceHausdorff95 h = new SurfaceHausdorff95();
    assertEquals(2.0, h.compute(FOUR, ONE, SLAB, new double[] {1, 2, 1}), 1e-12);
    // one voxel against one two slices up at 2.5 mm: corners 2.5 and 5 mm apart, equal areas
    Dims column = new Dims(1, 1, 3);
    assertEquals(
        5.0,
        h.compute(new byte[] {1, 0, 0}, new byte[] {0, 0, 1}, column, new double[] {1, 1, 2.5}),
        1e-12);
  }

  @Test
  void anEmptyMaskIsInfinitelyFar() {
    SurfaceHausdorff95 h = new SurfaceHausdorff95();
    assertEquals(
        Double.POSITIVE_INFINITY, h.compute(FOUR, new byte[4], SLAB, new double[] {1, 1, 1}), 0);
    assertEquals(0, h.compute(FOUR, FOUR, SLAB, new double[] {1, 1, 1}), 0);
  }

  @Test
  void pairwiseSumRoundsAsNumpyDoes() {
    // 0.1 added 1000 times: sequentially 99.9999999999986, numpy's pairwise sum 100.00000000000001
    double[] a = new double[1000];
    java.util.Arrays.fill(a, 0.1);
    double sequential = 0;
    for (double v : a) {
      sequential += v;
    }
    assertEquals(99.9999999999986, sequential, 1e-13);
    assertEquals(100.00000000000001, SurfaceHausdorff95.pairwiseSum(a, 0, 1000), 0);
  }
}
