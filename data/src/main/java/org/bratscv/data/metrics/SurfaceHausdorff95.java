package org.bratscv.data.metrics;

import java.util.Arrays;
import org.bratscv.data.volume.Dims;

/**
 * The surface-based robust Hausdorff distance of the BraTS 2023+ evaluation, as DeepMind's {@code
 * surface-distance} defines it (Nikolov et al., 2018):
 *
 * <ul>
 *   <li>the surface of a mask lives on the corners between voxels: a corner is a surface element
 *       ("surfel") when the 2x2x2 voxels around it are neither all inside nor all outside (voxels
 *       beyond the volume count as outside), and it carries the area {@link SurfelAreas} gives its
 *       occupancy code;
 *   <li>from every surfel of one mask, the Euclidean distance in mm to the nearest surfel of the
 *       other;
 *   <li>directed HD95 = the smallest distance whose cumulative surfel area, distances sorted by
 *       (distance, area), reaches 95% of the total area (no interpolation);
 *   <li>HD95 = the larger of both directions; {@code +infinity} when one mask is empty (callers map
 *       it to their empty-mask value).
 * </ul>
 *
 * <p>Unlike {@link HausdorffDistance95}, which counts every surface voxel once, a flat face weighs
 * more than a staircase of the same number of corners, so speckle and jagged borders weigh less.
 *
 * <p>An instance keeps scratch arrays between calls; not thread-safe.
 */
public final class SurfaceHausdorff95 {
  private static final double PERCENT = 95;

  private final SquaredDistanceTransform transform = new SquaredDistanceTransform();
  private double[] areaTable;
  private double[] areaSpacing;
  private long[] areaRank;
  private byte[] codesA = new byte[0];
  private byte[] codesB = new byte[0];
  private double[] grid = new double[0];
  private int[] surfA = new int[0];
  private int[] surfB = new int[0];
  private long[] keys = new long[0];
  private double[] dist = new double[0];
  private double[] sortedAreas = new double[0];
  private boolean[] columns = new boolean[0];

  private byte[] cropA = new byte[0];
  private byte[] cropB = new byte[0];

  /**
   * HD95 between the voxels of {@code labelsA} whose label is in {@code tableA} and those of {@code
   * labelsB} in {@code tableB} (volumes laid out as {@code dims}), given each mask's tight bounding
   * box (null when empty): 0 when both are empty, {@code +infinity} when one is.
   */
  public double compute(
      byte[] labelsA,
      boolean[] tableA,
      org.bratscv.data.volume.BoundingBox boxA,
      byte[] labelsB,
      boolean[] tableB,
      org.bratscv.data.volume.BoundingBox boxB,
      Dims dims,
      double[] spacing) {
    if (boxA == null && boxB == null) {
      return 0;
    }
    if (boxA == null || boxB == null) {
      return Double.POSITIVE_INFINITY;
    }
    org.bratscv.data.volume.BoundingBox box = LesionWiseScorer.union(boxA, boxB);
    Dims local = box.dims();
    if (cropA.length < local.voxels()) {
      cropA = new byte[local.voxels()];
      cropB = new byte[local.voxels()];
    }
    LesionWiseScorer.crop(labelsA, tableA, dims, box, cropA);
    LesionWiseScorer.crop(labelsB, tableB, dims, box, cropB);
    return compute(cropA, cropB, local, spacing);
  }

  /**
   * HD95 between masks {@code a} and {@code b} (1 = inside, laid out as {@code dims}, x fastest),
   * which must hold every voxel of both masks: outside them counts as outside.
   */
  public double compute(byte[] a, byte[] b, Dims dims, double[] spacing) {
    double[] areas = areas(spacing);
    int cx = dims.nx() + 1;
    int cy = dims.ny() + 1;
    int cz = dims.nz() + 1;
    Dims corners = new Dims(cx, cy, cz);
    int n = cx * cy * cz;
    if (codesA.length < n) {
      codesA = new byte[n];
      codesB = new byte[n];
      grid = new double[n];
    }
    int countA = neighbourCodes(a, dims, codesA);
    int countB = neighbourCodes(b, dims, codesB);
    if (countA == 0 || countB == 0) {
      return Double.POSITIVE_INFINITY;
    }
    if (surfA.length < countA) {
      surfA = new int[countA];
    }
    if (surfB.length < countB) {
      surfB = new int[countB];
    }
    collect(codesA, n, surfA);
    collect(codesB, n, surfB);
    double aToB = directed(surfA, countA, codesA, surfB, countB, corners, spacing, areas);
    double bToA = directed(surfB, countB, codesB, surfA, countA, corners, spacing, areas);
    return Math.max(aToB, bToA);
  }

  /**
   * Fills {@code codes} (corner grid, one more than {@code dims} per axis) with the occupancy code
   * of the 2x2x2 voxels (x-1..x, y-1..y, z-1..z) around each corner; returns how many are surfels.
   */
  private static int neighbourCodes(byte[] m, Dims dims, byte[] codes) {
    int nx = dims.nx();
    int ny = dims.ny();
    int nz = dims.nz();
    int cx = nx + 1;
    int cy = ny + 1;
    int slice = nx * ny;
    int count = 0;
    int at = 0;
    for (int z = 0; z <= nz; z++) {
      for (int y = 0; y <= ny; y++) {
        for (int x = 0; x <= nx; x++, at++) {
          int code = 0;
          for (int a = 0; a < 2; a++) {
            int vx = x - 1 + a;
            if (vx < 0 || vx >= nx) {
              continue;
            }
            for (int b = 0; b < 2; b++) {
              int vy = y - 1 + b;
              if (vy < 0 || vy >= ny) {
                continue;
              }
              for (int c = 0; c < 2; c++) {
                int vz = z - 1 + c;
                if (vz < 0 || vz >= nz || m[vx + nx * vy + slice * vz] == 0) {
                  continue;
                }
                code |= 1 << (7 - (4 * a + 2 * b + c));
              }
            }
          }
          codes[at] = (byte) code;
          if (code != 0 && code != 255) {
            count++;
          }
        }
      }
    }
    assert at == cx * cy * (nz + 1);
    return count;
  }

  private static void collect(byte[] codes, int n, int[] out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      int c = codes[i] & 0xFF;
      if (c != 0 && c != 255) {
        out[k++] = i;
      }
    }
  }

  /** Directed robust HD: from the source surfels to the nearest target surfel. */
  private double directed(
      int[] source,
      int sourceCount,
      byte[] sourceCodes,
      int[] target,
      int targetCount,
      Dims corners,
      double[] spacing,
      double[] areas) {
    int n = corners.voxels();
    double[] g = grid;
    Arrays.fill(g, 0, n, Double.POSITIVE_INFINITY);
    for (int i = 0; i < targetCount; i++) {
      g[target[i]] = 0;
    }
    int slice = corners.nx() * corners.ny();
    if (columns.length < slice) {
      columns = new boolean[slice];
    } else {
      Arrays.fill(columns, 0, slice, false);
    }
    for (int i = 0; i < sourceCount; i++) {
      columns[source[i] % slice] = true;
    }
    transform.transform(g, corners, spacing, columns);
    if (keys.length < sourceCount) {
      keys = new long[sourceCount];
      dist = new double[sourceCount];
      sortedAreas = new double[sourceCount];
    }
    // Sort by (distance, area) as surface-distance does: the distance's bits (non-negative doubles
    // order like their bit patterns) with the low 8 mantissa bits traded for the area's rank.
    for (int i = 0; i < sourceCount; i++) {
      double d = Math.sqrt(g[source[i]]);
      dist[i] = d;
      keys[i] = (Double.doubleToRawLongBits(d) & ~0xFFL) | areaRank[sourceCodes[source[i]] & 0xFF];
    }
    Arrays.sort(keys, 0, sourceCount);
    for (int i = 0; i < sourceCount; i++) {
      sortedAreas[i] = areas[rankToCode[(int) (keys[i] & 0xFF)]];
    }
    double total = pairwiseSum(sortedAreas, 0, sourceCount);
    double threshold = PERCENT / 100.0;
    double cumulative = 0;
    int idx = sourceCount - 1;
    for (int i = 0; i < sourceCount; i++) {
      cumulative += sortedAreas[i];
      if (cumulative / total >= threshold) {
        idx = i;
        break;
      }
    }
    // the exact distance behind the chosen key (keys dropped its last 8 mantissa bits)
    long chosen = keys[idx] & ~0xFFL;
    double result = Double.longBitsToDouble(chosen);
    for (int i = 0; i < sourceCount; i++) {
      if ((Double.doubleToRawLongBits(dist[i]) & ~0xFFL) == chosen) {
        result = Math.max(result, dist[i]);
      }
    }
    return result;
  }

  private int[] rankToCode;

  /** The area table for {@code spacing}, and each code's rank by area, cached per spacing. */
  private double[] areas(double[] spacing) {
    if (areaTable == null || !Arrays.equals(areaSpacing, spacing)) {
      areaTable = SurfelAreas.table(spacing);
      areaSpacing = spacing.clone();
      Integer[] order = new Integer[256];
      for (int i = 0; i < 256; i++) {
        order[i] = i;
      }
      double[] t = areaTable;
      Arrays.sort(order, (p, q) -> Double.compare(t[p], t[q]));
      areaRank = new long[256];
      rankToCode = new int[256];
      for (int r = 0; r < 256; r++) {
        areaRank[order[r]] = r;
        rankToCode[r] = order[r];
      }
    }
    return areaTable;
  }

  /**
   * numpy's pairwise summation ({@code np.sum} of a contiguous float64 array), so that the total
   * area, and with it the 95% cut, round exactly as the reference does.
   */
  static double pairwiseSum(double[] a, int from, int n) {
    if (n < 8) {
      double r = 0;
      for (int i = 0; i < n; i++) {
        r += a[from + i];
      }
      return r;
    }
    if (n <= 128) {
      double[] r = new double[8];
      System.arraycopy(a, from, r, 0, 8);
      int i = 8;
      for (; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++) {
          r[j] += a[from + i + j];
        }
      }
      double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    }
    int n2 = n / 2;
    n2 -= n2 % 8;
    return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
  }
}
