package org.bratscv.data.metrics;

import java.util.Arrays;
import java.util.Random;
import org.bratscv.data.volume.Dims;

/**
 * Slow, obviously correct versions of the metrics for tests: surfaces by the erosion definition,
 * distances by exhaustive search, percentiles by a full sort.
 */
final class BruteForce {
  private BruteForce() {}

  /** Mask XOR its erosion by the 6-cross, with outside-the-volume counted as not in the mask. */
  static boolean[] surface(boolean[] mask, Dims d) {
    boolean[] out = new boolean[mask.length];
    int[][] offsets = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int z = 0; z < d.nz(); z++) {
      for (int y = 0; y < d.ny(); y++) {
        for (int x = 0; x < d.nx(); x++) {
          if (!mask[d.index(x, y, z)]) {
            continue;
          }
          boolean eroded = true;
          for (int[] o : offsets) {
            int xx = x + o[0];
            int yy = y + o[1];
            int zz = z + o[2];
            if (!d.contains(xx, yy, zz) || !mask[d.index(xx, yy, zz)]) {
              eroded = false;
            }
          }
          out[d.index(x, y, z)] = !eroded;
        }
      }
    }
    return out;
  }

  /** For each voxel, the squared mm distance to the nearest feature voxel (infinite if none). */
  static double[] squaredDistances(boolean[] features, Dims d, double[] sp) {
    double[] out = new double[features.length];
    Arrays.fill(out, Double.POSITIVE_INFINITY);
    for (int z = 0; z < d.nz(); z++) {
      for (int y = 0; y < d.ny(); y++) {
        for (int x = 0; x < d.nx(); x++) {
          double best = Double.POSITIVE_INFINITY;
          for (int fz = 0; fz < d.nz(); fz++) {
            for (int fy = 0; fy < d.ny(); fy++) {
              for (int fx = 0; fx < d.nx(); fx++) {
                if (features[d.index(fx, fy, fz)]) {
                  double dx = (x - fx) * sp[0];
                  double dy = (y - fy) * sp[1];
                  double dz = (z - fz) * sp[2];
                  best = Math.min(best, dx * dx + dy * dy + dz * dz);
                }
              }
            }
          }
          out[d.index(x, y, z)] = best;
        }
      }
    }
    return out;
  }

  /** Directed HD95 from a's surface to b's surface: sort all distances, interpolate by hand. */
  static double directedHd95(boolean[] a, boolean[] b, Dims d, double[] sp) {
    boolean[] sa = surface(a, d);
    double[] toB = squaredDistances(surface(b, d), d, sp);
    double[] dist = new double[a.length];
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if (sa[i]) {
        dist[n++] = Math.sqrt(toB[i]);
      }
    }
    double[] sorted = Arrays.copyOf(dist, n);
    Arrays.sort(sorted);
    double pos = 0.95 * (n - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, n - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  static double hd95(boolean[] a, boolean[] b, Dims d, double[] sp) {
    return Math.max(directedHd95(a, b, d, sp), directedHd95(b, a, d, sp));
  }

  /** A random mask of a few overlapping balls, often touching the volume edge. */
  static boolean[] randomBlobs(Dims d, Random rnd, int balls) {
    boolean[] m = new boolean[(int) d.voxelCount()];
    for (int k = 0; k < balls; k++) {
      double cx = rnd.nextDouble() * d.nx();
      double cy = rnd.nextDouble() * d.ny();
      double cz = rnd.nextDouble() * d.nz();
      double r = 1 + rnd.nextDouble() * Math.min(d.nx(), Math.min(d.ny(), d.nz())) / 3.0;
      for (int z = 0; z < d.nz(); z++) {
        for (int y = 0; y < d.ny(); y++) {
          for (int x = 0; x < d.nx(); x++) {
            double dx = x - cx;
            double dy = y - cy;
            double dz = z - cz;
            if (dx * dx + dy * dy + dz * dz <= r * r) {
              m[d.index(x, y, z)] = true;
            }
          }
        }
      }
    }
    return m;
  }

  /** A mask with each voxel set independently with probability {@code p}: rough surfaces. */
  static boolean[] randomNoise(Dims d, Random rnd, double p) {
    boolean[] m = new boolean[(int) d.voxelCount()];
    for (int i = 0; i < m.length; i++) {
      m[i] = rnd.nextDouble() < p;
    }
    return m;
  }
}
