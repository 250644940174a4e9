package org.bratscv.data.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;

class HausdorffDistance95Test {
  private static final double[] ISO = {1, 1, 1};
  private final HausdorffDistance95 hd = new HausdorffDistance95();

  private static boolean[] box(Dims d, int x0, int y0, int z0, int x1, int y1, int z1) {
    boolean[] m = new boolean[(int) d.voxelCount()];
    for (int z = z0; z < z1; z++) {
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          m[d.index(x, y, z)] = true;
        }
      }
    }
    return m;
  }

  @Test
  void hd95IsZeroWhenBothMasksAreEmpty() {
    Dims d = new Dims(6, 6, 6);
    HausdorffDistance95.Result r = hd.compute(new boolean[216], new boolean[216], d, ISO, 373.13);
    assertEquals(0, r.hd95(), 0);
  }

  @Test
  void hd95IsTheConfiguredConstantWhenExactlyOneMaskIsEmpty() {
    Dims d = new Dims(6, 6, 6);
    boolean[] a = box(d, 1, 1, 1, 3, 3, 3);
    assertEquals(373.13, hd.compute(a, new boolean[216], d, ISO, 373.13).hd95(), 0);
    assertEquals(374, hd.compute(new boolean[216], a, d, ISO, 374).hd95(), 0);
  }

  @Test
  void identicalMasksAreZeroApart() {
    Dims d = new Dims(10, 9, 8);
    boolean[] a = BruteForce.randomBlobs(d, new Random(3), 3);
    assertEquals(0, hd.compute(a, a.clone(), d, ISO, 373.13).hd95(), 0);
  }

  @Test
  void twoParallelPlatesKVoxelsApartAreKTimesSpacingApart() {
    // One-voxel-thick plates: every voxel is surface and its nearest partner is straight across.
    Dims d = new Dims(12, 7, 6);
    for (int k = 1; k <= 5; k++) {
      boolean[] a = box(d, 2, 1, 1, 3, 6, 5);
      boolean[] b = box(d, 2 + k, 1, 1, 3 + k, 6, 5);
      assertEquals(k, hd.compute(a, b, d, ISO, 373.13).hd95(), 1e-12);
      assertEquals(2.5 * k, hd.compute(a, b, d, new double[] {2.5, 1, 1}, 373.13).hd95(), 1e-12);
    }
  }

  @Test
  void cubeInsideACubeGrownByKIsKAwayFromTheInnerSurface() {
    Dims d = new Dims(16, 16, 16);
    int k = 3;
    boolean[] inner = box(d, 5, 5, 5, 10, 10, 10);
    boolean[] outer = box(d, 5 - k, 5 - k, 5 - k, 10 + k, 10 + k, 10 + k);
    HausdorffDistance95.Result r = hd.compute(inner, outer, d, ISO, 373.13);
    // Each inner surface voxel sees the outer shell straight out through its nearest face.
    assertEquals(k, r.aToB(), 1e-12);
    assertEquals(BruteForce.hd95(inner, outer, d, ISO), r.hd95(), 1e-12);
  }

  @Test
  void interpolatesBetweenTheTwoLargestOfTwoDistances() {
    Dims d = new Dims(8, 3, 3);
    boolean[] a = new boolean[72];
    boolean[] b = new boolean[72];
    a[d.index(0, 1, 1)] = true;
    b[d.index(3, 1, 1)] = true;
    b[d.index(5, 1, 1)] = true;
    HausdorffDistance95.Result r = hd.compute(a, b, d, ISO, 373.13);
    assertEquals(3, r.aToB(), 1e-12);
    // distances 3 and 5, position 0.95: 3 + 0.95 * 2
    assertEquals(4.9, r.bToA(), 1e-12);
    assertEquals(4.9, r.hd95(), 1e-12);
  }

  @Test
  void anisotropicSpacingScalesEachAxis() {
    Dims d = new Dims(4, 4, 6);
    boolean[] a = new boolean[96];
    boolean[] b = new boolean[96];
    a[d.index(0, 0, 0)] = true;
    b[d.index(1, 1, 1)] = true;
    // 1 x 1 x 3 mm voxels: sqrt(1 + 1 + 9)
    assertEquals(Math.sqrt(11), hd.compute(a, b, d, new double[] {1, 1, 3}, 373.13).hd95(), 1e-12);
  }

  @Test
  void voxelsOnTheVolumeEdgeAreSurface() {
    // A fills the 5^3 volume, B is A without the x = 4 layer. Counting the edge as outside,
    // A's x = 4 face (25 of 98 surface voxels) is 1 mm from B and the rest lies on B's surface.
    Dims d = new Dims(5, 5, 5);
    boolean[] a = box(d, 0, 0, 0, 5, 5, 5);
    boolean[] b = box(d, 0, 0, 0, 4, 5, 5);
    HausdorffDistance95.Result r = hd.compute(a, b, d, ISO, 373.13);
    assertEquals(1, r.aToB(), 0);
    assertEquals(1, r.bToA(), 0);
    // A single voxel in the corner of an otherwise full volume is the volume's surface too.
    boolean[] corner = new boolean[125];
    corner[0] = true;
    assertEquals(
        BruteForce.hd95(a, corner, d, ISO), hd.compute(a, corner, d, ISO, 373.13).hd95(), 1e-12);
  }

  @Test
  void sphereAgainstItselfShiftedMatchesBruteForce() {
    Dims d = new Dims(24, 22, 20);
    double[] sp = {1, 1, 2};
    for (int shift = 1; shift <= 3; shift++) {
      boolean[] a = new boolean[(int) d.voxelCount()];
      boolean[] b = new boolean[a.length];
      for (int z = 0; z < d.nz(); z++) {
        for (int y = 0; y < d.ny(); y++) {
          for (int x = 0; x < d.nx(); x++) {
            double r2 = sq(x - 10) + sq(y - 11) + sq((z - 10) * 2);
            double s2 = sq(x - 10 - shift) + sq(y - 11) + sq((z - 10) * 2);
            a[d.index(x, y, z)] = r2 <= 49;
            b[d.index(x, y, z)] = s2 <= 49;
          }
        }
      }
      double h = hd.compute(a, b, d, sp, 373.13).hd95();
      assertEquals(BruteForce.hd95(a, b, d, sp), h, 1e-12);
      // a translation by shift voxels moves no surface voxel further than shift mm
      assertTrue(h > 0 && h <= shift + 1e-12, "hd95 " + h + " for shift " + shift);
    }
  }

  @Test
  void matchesBruteForceOnRandomBlobsWithAnisotropicSpacing() {
    double[][] spacings = {{1, 1, 1}, {1, 1, 3}, {0.9375, 0.9375, 2.2}, {2, 1, 1.5}};
    for (long seed = 1; seed <= 10; seed++) {
      Random rnd = new Random(seed);
      Dims d = new Dims(6 + rnd.nextInt(12), 6 + rnd.nextInt(12), 4 + rnd.nextInt(10));
      double[] sp = spacings[(int) (seed % spacings.length)];
      boolean[] a = BruteForce.randomBlobs(d, rnd, 1 + rnd.nextInt(4));
      boolean[] b =
          seed % 3 == 0
              ? BruteForce.randomNoise(d, rnd, 0.1)
              : BruteForce.randomBlobs(d, rnd, 1 + rnd.nextInt(4));
      if (!any(a) || !any(b)) {
        continue;
      }
      HausdorffDistance95.Result r = hd.compute(a, b, d, sp, 373.13);
      assertEquals(BruteForce.directedHd95(a, b, d, sp), r.aToB(), 1e-9, "seed " + seed);
      assertEquals(BruteForce.directedHd95(b, a, d, sp), r.bToA(), 1e-9, "seed " + seed);
    }
  }

  @Test
  void rejectsMasksOfTheWrongSize() {
    Dims d = new Dims(4, 4, 4);
    assertThrows(
        IllegalArgumentException.class,
        () -> hd.compute(new boolean[64], new boolean[63], d, ISO, 373.13));
  }

  private static boolean any(boolean[] m) {
    for (boolean b : m) {
      if (b) {
        return true;
      }
    }
    return false;
  }

  private static double sq(double v) {
    return v * v;
  }
}
