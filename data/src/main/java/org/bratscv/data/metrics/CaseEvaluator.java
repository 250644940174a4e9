package org.bratscv.data.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;

/**
 * Scores predicted labelmaps against ground truth, case after case: Dice, HD95, sensitivity and
 * specificity for ET, TC and WT (see {@link RegionMetrics}, {@link HausdorffDistance95}), under the
 * {@link MetricConventions} given: {@code brats2023} adds the lesion-wise Dice and HD95 ({@link
 * LesionWiseScorer}) and takes HD95 over surfels ({@link SurfaceHausdorff95}).
 *
 * <p>One pass over the volume counts the confusion matrix of all three regions and finds each
 * mask's bounding box; HD95 then only works inside those boxes. The evaluator keeps its scratch
 * arrays between cases; it is not thread-safe (one per thread or Spark task).
 */
public final class CaseEvaluator {
  /** Largest affine difference (mm) still accepted as the same geometry. */
  private static final double AFFINE_TOLERANCE_MM = 1e-3;

  private final LabelScheme scheme;
  private final MetricConventions conventions;
  private final HausdorffDistance95 hd95 = new HausdorffDistance95();
  private final SurfaceHausdorff95 surfaceHd95 = new SurfaceHausdorff95();
  private final LesionWiseScorer lesionWise = new LesionWiseScorer();
  // bits[label]: bit r is set when the label belongs to region r.
  private final int[] regionBits = new int[256];
  private final boolean[][] regionTables = new boolean[3][];

  public CaseEvaluator(LabelScheme scheme, MetricConventions conventions) {
    this.scheme = scheme;
    this.conventions = conventions;
    for (Region r : Region.values()) {
      regionTables[r.ordinal()] = scheme.regionTable(r);
      for (int l : scheme.labelsOf(r)) {
        regionBits[l] |= 1 << r.ordinal();
      }
    }
  }

  public LabelScheme scheme() {
    return scheme;
  }

  public MetricConventions conventions() {
    return conventions;
  }

  /**
   * Scores {@code pred} against {@code gt}.
   *
   * @throws IllegalArgumentException when dims, spacing or affine differ, or a labelmap holds a
   *     label that the scheme does not know (e.g. 3 under BraTS 2020 labels)
   */
  public CaseMetrics evaluate(LabelVolume pred, LabelVolume gt) {
    checkGeometry(pred.geometry(), gt.geometry());
    Dims dims = gt.dims();
    byte[] p = pred.labels();
    byte[] g = gt.labels();
    int nx = dims.nx();
    int ny = dims.ny();
    int nz = dims.nz();
    int[] bits = regionBits;
    // counts[(predBits << 3) | gtBits] over voxels where either label is non-zero.
    long[] counts = new long[64];
    boolean[] seenPred = new boolean[256];
    boolean[] seenGt = new boolean[256];
    // boxes[side * 3 + region] = {x0, y0, z0, x1, y1, z1} inclusive; side 0 = pred, 1 = gt.
    int[][] boxes = new int[6][];
    for (int k = 0; k < 6; k++) {
      boxes[k] = new int[] {nx, ny, nz, -1, -1, -1};
    }
    int i = 0;
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++, i++) {
          int lp = p[i] & 0xFF;
          int lg = g[i] & 0xFF;
          if ((lp | lg) == 0) {
            continue;
          }
          seenPred[lp] = true;
          seenGt[lg] = true;
          int bp = bits[lp];
          int bg = bits[lg];
          counts[(bp << 3) | bg]++;
          for (int r = 0; r < 3; r++) {
            if ((bp >> r & 1) != 0) {
              grow(boxes[r], x, y, z);
            }
            if ((bg >> r & 1) != 0) {
              grow(boxes[3 + r], x, y, z);
            }
          }
        }
      }
    }
    checkLabels(seenPred, "prediction");
    checkLabels(seenGt, "ground truth");
    long total = dims.voxelCount();
    double[] spacing = gt.geometry().spacing();
    Map<Region, RegionMetrics> out = new EnumMap<>(Region.class);
    for (Region region : Region.values()) {
      int r = region.ordinal();
      long tp = 0;
      long fp = 0;
      long fn = 0;
      for (int code = 0; code < 64; code++) {
        boolean inPred = ((code >> 3) >> r & 1) != 0;
        boolean inGt = (code >> r & 1) != 0;
        if (inPred && inGt) {
          tp += counts[code];
        } else if (inPred) {
          fp += counts[code];
        } else if (inGt) {
          fn += counts[code];
        }
      }
      long tn = total - tp - fp - fn;
      boolean[] table = regionTables[r];
      if (conventions.lesionWise()) {
        out.put(region, scoreBrats2023(region, p, g, table, boxes, dims, pred, tp, fp, fn, tn));
        continue;
      }
      double h =
          hd95.compute(
                  p,
                  table,
                  toBox(boxes[r]),
                  g,
                  table,
                  toBox(boxes[3 + r]),
                  dims,
                  spacing,
                  conventions.emptyHd95())
              .hd95();
      out.put(region, RegionMetrics.of(region, tp, fp, fn, tn, h));
    }
    return new CaseMetrics(out);
  }

  /**
   * The 2023+ scores of one region: surface HD95 and lesion-wise scores, with the prediction's
   * voxel spacing as the reference code takes it (the geometry check keeps it within 1e-3 mm of the
   * ground truth's).
   */
  private RegionMetrics scoreBrats2023(
      Region region,
      byte[] p,
      byte[] g,
      boolean[] table,
      int[][] boxes,
      Dims dims,
      LabelVolume pred,
      long tp,
      long fp,
      long fn,
      long tn) {
    int r = region.ordinal();
    double[] spacing = pred.geometry().spacing();
    BoundingBox predBox = toBox(boxes[r]);
    BoundingBox gtBox = toBox(boxes[3 + r]);
    double h = surfaceHd95.compute(g, table, gtBox, p, table, predBox, dims, spacing);
    if (Double.isInfinite(h)) {
      h = conventions.emptyHd95();
    }
    LesionWiseScores lesions =
        lesionWise.score(
            p,
            table,
            predBox,
            g,
            table,
            gtBox,
            dims,
            spacing,
            conventions.challenge(),
            conventions.emptyHd95());
    return RegionMetrics.ofBrats2023(region, tp, fp, fn, tn, h, lesions);
  }

  private static void grow(int[] b, int x, int y, int z) {
    if (x < b[0]) {
      b[0] = x;
    }
    if (y < b[1]) {
      b[1] = y;
    }
    if (z < b[2]) {
      b[2] = z;
    }
    if (x > b[3]) {
      b[3] = x;
    }
    if (y > b[4]) {
      b[4] = y;
    }
    if (z > b[5]) {
      b[5] = z;
    }
  }

  private static BoundingBox toBox(int[] b) {
    return b[3] < 0 ? null : new BoundingBox(b[0], b[1], b[2], b[3] + 1, b[4] + 1, b[5] + 1);
  }

  private void checkLabels(boolean[] seen, String what) {
    StringJoiner bad = new StringJoiner(", ");
    for (int l = 1; l < 256; l++) {
      if (seen[l] && !scheme.isValid(l)) {
        bad.add(Integer.toString(l));
      }
    }
    if (bad.length() > 0) {
      StringJoiner valid = new StringJoiner(", ");
      for (int l : scheme.validLabels()) {
        valid.add(Integer.toString(l));
      }
      throw new IllegalArgumentException(
          what
              + " holds label(s) "
              + bad
              + " that "
              + scheme
              + " does not use (valid: "
              + valid
              + "); is the label scheme right?");
    }
  }

  private static void checkGeometry(Geometry pred, Geometry gt) {
    if (!pred.dims().equals(gt.dims())) {
      throw new IllegalArgumentException(
          "prediction has dims " + pred.dims() + " but ground truth has " + gt.dims());
    }
    for (int axis = 0; axis < 3; axis++) {
      if (Math.abs(pred.spacing(axis) - gt.spacing(axis)) > AFFINE_TOLERANCE_MM) {
        throw new IllegalArgumentException(
            "prediction has voxel spacing "
                + java.util.Arrays.toString(pred.spacing())
                + " mm but ground truth has "
                + java.util.Arrays.toString(gt.spacing()));
      }
    }
    if (!pred.affine().approximatelyEquals(gt.affine(), AFFINE_TOLERANCE_MM)) {
      throw new IllegalArgumentException(
          "prediction and ground truth are not on the same grid: affines differ by "
              + pred.affine().maxAbsDifference(gt.affine())
              + " mm (prediction "
              + pred.affine()
              + ", ground truth "
              + gt.affine()
              + ")");
    }
  }
}
