package org.bratscv.data.metrics;

import java.util.Arrays;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.LabelVolume;

/**
 * The 95th-percentile Hausdorff distance between two masks, exactly as METHOD.md pins it:
 *
 * <ul>
 *   <li>surface of a mask = its voxels with at least one of their 6 face-neighbours outside the
 *       mask, where voxels beyond the volume's edge count as outside;
 *   <li>distance = Euclidean in mm (voxel spacing honoured) from a surface voxel of one mask to the
 *       nearest surface voxel of the other;
 *   <li>directed HD95 = 95th percentile of those distances over the source's surface voxels, linear
 *       interpolation at position 0.95 (n - 1) (numpy's default);
 *   <li>HD95 = the larger of both directions; both masks empty gives 0, exactly one empty gives
 *       {@link MetricConventions#emptyHd95()}.
 * </ul>
 *
 * <p>Distances come from an exact distance transform ({@link SquaredDistanceTransform}) to the
 * other mask's surface, computed only over the bounding box of both masks: every surface voxel lies
 * in it, so the nearest target surface voxel of any source voxel does too and the crop cannot
 * change a distance. Surfaces are found on the full volume, so a mask touching the true volume edge
 * keeps its edge voxels on its surface.
 *
 * <p>An instance keeps scratch arrays between calls so that evaluating many cases allocates little;
 * it is not thread-safe (one per thread or Spark task). The largest scratch is one double per voxel
 * of the masks' joint bounding box (at most 71 MB for a whole 240x240x155 volume).
 */
public final class HausdorffDistance95 {
  /** The percentile HD95 is named for, as a fraction. */
  public static final double QUANTILE = 0.95;

  private static final byte SOURCE = 1;
  private static final byte TARGET = 2;

  private final SquaredDistanceTransform transform = new SquaredDistanceTransform();
  private double[] grid = new double[0];
  private int[] surfaceA = new int[0];
  private int[] surfaceB = new int[0];
  private double[] distances = new double[0];
  private boolean[] columns = new boolean[0];
  private int countA;
  private int countB;

  /** Both directed distances and their maximum, in mm. */
  public record Result(double hd95, double aToB, double bToA) {}

  /**
   * HD95 between the {@code region} masks of {@code pred} and {@code gt}, with gt's voxel spacing.
   */
  public double compute(
      LabelVolume pred, LabelVolume gt, Region region, LabelScheme scheme, MetricConventions conv) {
    if (!pred.dims().equals(gt.dims())) {
      throw new IllegalArgumentException(
          "prediction has dims " + pred.dims() + " but ground truth has " + gt.dims());
    }
    boolean[] table = scheme.regionTable(region);
    Dims dims = gt.dims();
    return compute(
            pred.labels(),
            table,
            boundingBox(pred.labels(), table, dims),
            gt.labels(),
            table,
            boundingBox(gt.labels(), table, dims),
            dims,
            gt.geometry().spacing(),
            conv.emptyHd95())
        .hd95();
  }

  /** HD95 between two boolean masks laid out as {@code dims} (x fastest), spacing in mm. */
  public Result compute(boolean[] a, boolean[] b, Dims dims, double[] spacing, double emptyHd95) {
    if (a.length != dims.voxelCount() || b.length != dims.voxelCount()) {
      throw new IllegalArgumentException(
          "masks of "
              + a.length
              + " and "
              + b.length
              + " voxels do not match dims "
              + dims
              + " ("
              + dims.voxelCount()
              + " voxels)");
    }
    byte[] la = toBytes(a);
    byte[] lb = toBytes(b);
    boolean[] table = new boolean[256];
    table[1] = true;
    return compute(
        la,
        table,
        boundingBox(la, table, dims),
        lb,
        table,
        boundingBox(lb, table, dims),
        dims,
        spacing,
        emptyHd95);
  }

  /**
   * The core: mask A is the voxels {@code i} with {@code tableA[labelsA[i] & 0xFF]}, mask B
   * likewise; {@code boxA}/{@code boxB} are their tight bounding boxes, {@code null} when empty.
   */
  Result compute(
      byte[] labelsA,
      boolean[] tableA,
      BoundingBox boxA,
      byte[] labelsB,
      boolean[] tableB,
      BoundingBox boxB,
      Dims dims,
      double[] spacing,
      double emptyHd95) {
    if (boxA == null && boxB == null) {
      return new Result(0, 0, 0);
    }
    if (boxA == null || boxB == null) {
      return new Result(emptyHd95, emptyHd95, emptyHd95);
    }
    BoundingBox union =
        new BoundingBox(
            Math.min(boxA.x0(), boxB.x0()),
            Math.min(boxA.y0(), boxB.y0()),
            Math.min(boxA.z0(), boxB.z0()),
            Math.max(boxA.x1(), boxB.x1()),
            Math.max(boxA.y1(), boxB.y1()),
            Math.max(boxA.z1(), boxB.z1()));
    Dims local = union.dims();
    int n = local.voxels();
    if (grid.length < n) {
      grid = new double[n];
    }
    countA = 0;
    countB = 0;
    collectSurface(labelsA, tableA, boxA, dims, union, true);
    collectSurface(labelsB, tableB, boxB, dims, union, false);
    double aToB = directed(surfaceB, countB, surfaceA, countA, local, n, spacing);
    double bToA = directed(surfaceA, countA, surfaceB, countB, local, n, spacing);
    return new Result(Math.max(aToB, bToA), aToB, bToA);
  }

  /** Directed HD95 from the source surface voxels to the nearest target surface voxel. */
  private double directed(
      int[] target,
      int targetCount,
      int[] source,
      int sourceCount,
      Dims local,
      int n,
      double[] sp) {
    double[] g = grid;
    Arrays.fill(g, 0, n, Double.POSITIVE_INFINITY);
    for (int i = 0; i < targetCount; i++) {
      g[target[i]] = 0;
    }
    // Distances are read at the source voxels only: the last pass can skip the other z-columns.
    int slice = local.nx() * local.ny();
    if (columns.length < slice) {
      columns = new boolean[slice];
    } else {
      Arrays.fill(columns, 0, slice, false);
    }
    for (int i = 0; i < sourceCount; i++) {
      columns[source[i] % slice] = true;
    }
    transform.transform(g, local, sp, columns);
    if (distances.length < sourceCount) {
      distances = new double[Math.max(sourceCount, distances.length * 2)];
    }
    double[] d = distances;
    for (int i = 0; i < sourceCount; i++) {
      d[i] = Math.sqrt(g[source[i]]);
    }
    return Percentiles.linearInPlace(d, sourceCount, QUANTILE);
  }

  /**
   * Appends to surfaceA (or surfaceB) the union-box index of each surface voxel of the mask. The
   * 6-neighbour test uses the full volume, so only the true volume edge counts as outside.
   */
  private void collectSurface(
      byte[] labels, boolean[] table, BoundingBox box, Dims dims, BoundingBox union, boolean a) {
    int nx = dims.nx();
    int ny = dims.ny();
    int nz = dims.nz();
    int slice = nx * ny;
    int lx = union.x1() - union.x0();
    int ly = union.y1() - union.y0();
    int[] out = a ? surfaceA : surfaceB;
    int count = 0;
    for (int z = box.z0(); z < box.z1(); z++) {
      for (int y = box.y0(); y < box.y1(); y++) {
        int row = nx * (y + ny * z);
        int localRow = lx * ((y - union.y0()) + ly * (z - union.z0())) - union.x0();
        for (int x = box.x0(); x < box.x1(); x++) {
          int i = row + x;
          if (!table[labels[i] & 0xFF]) {
            continue;
          }
          boolean surface =
              x == 0
                  || x == nx - 1
                  || y == 0
                  || y == ny - 1
                  || z == 0
                  || z == nz - 1
                  || !table[labels[i - 1] & 0xFF]
                  || !table[labels[i + 1] & 0xFF]
                  || !table[labels[i - nx] & 0xFF]
                  || !table[labels[i + nx] & 0xFF]
                  || !table[labels[i - slice] & 0xFF]
                  || !table[labels[i + slice] & 0xFF];
          if (surface) {
            if (count == out.length) {
              out = Arrays.copyOf(out, Math.max(1024, out.length * 2));
            }
            out[count++] = localRow + x;
          }
        }
      }
    }
    if (a) {
      surfaceA = out;
      countA = count;
    } else {
      surfaceB = out;
      countB = count;
    }
  }

  /** Tight bounding box of the voxels whose label is in {@code table}; null when there are none. */
  static BoundingBox boundingBox(byte[] labels, boolean[] table, Dims dims) {
    int nx = dims.nx();
    int ny = dims.ny();
    int nz = dims.nz();
    int x0 = nx;
    int y0 = ny;
    int z0 = nz;
    int x1 = -1;
    int y1 = -1;
    int z1 = -1;
    int i = 0;
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++, i++) {
          if (table[labels[i] & 0xFF]) {
            if (x < x0) {
              x0 = x;
            }
            if (x > x1) {
              x1 = x;
            }
            if (y < y0) {
              y0 = y;
            }
            if (y > y1) {
              y1 = y;
            }
            if (z < z0) {
              z0 = z;
            }
            z1 = z;
          }
        }
      }
    }
    return x1 < 0 ? null : new BoundingBox(x0, y0, z0, x1 + 1, y1 + 1, z1 + 1);
  }

  private static byte[] toBytes(boolean[] mask) {
    byte[] out = new byte[mask.length];
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        out[i] = 1;
      }
    }
    return out;
  }
}
