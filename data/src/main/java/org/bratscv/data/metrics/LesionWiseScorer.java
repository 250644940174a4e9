package org.bratscv.data.metrics;

import java.util.ArrayList;
import java.util.List;
import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;

/**
 * Lesion-wise Dice and HD95 of one region, as the BraTS 2023+ evaluation defines them
 * (rachitsaluja/BraTS-2023-Metrics):
 *
 * <ol>
 *   <li>the 26-connected components of the prediction are its components; the ground truth is
 *       dilated {@code dilation} times with the 18-connected structuring element (a 3x3x3 cube
 *       without its corners; dilation stops at the volume's edge), and the ground-truth voxels of
 *       one 26-connected component of that dilation are one lesion, so lesions closer than about
 *       twice the dilation are merged;
 *   <li>each lesion is matched with every predicted component that meets its dilated extent, and
 *       scored with Dice and the surface HD95 ({@link SurfaceHausdorff95}) against the union of
 *       those components; a lesion no component meets scores Dice 0 and HD95 {@code emptyHd95};
 *   <li>lesions whose volume (voxels x voxel volume, mm³) is at or below the volume threshold are
 *       left out of the means, but the components they meet are not false positives;
 *   <li>each predicted component that meets no lesion is a false positive: one more entry with Dice
 *       0 and HD95 {@code emptyHd95};
 *   <li>the case's value is the mean over the entries; with no entry at all (nothing on either
 *       side, or only lesions at or below the threshold and no false positive) Dice is 1 and HD95
 *       0.
 * </ol>
 *
 * <p>Works inside the joint bounding box of both masks grown by the dilation, so the cost follows
 * the tumour's size, not the volume's. An instance keeps scratch arrays; not thread-safe.
 */
public final class LesionWiseScorer {
  private final ConnectedComponents components = new ConnectedComponents();
  private final SurfaceHausdorff95 surface = new SurfaceHausdorff95();
  private byte[] gt = new byte[0];
  private byte[] pred = new byte[0];
  private byte[] dilated = new byte[0];
  private byte[] scratch = new byte[0];
  private int[] predLabels = new int[0];
  private int[] lesionLabels = new int[0];
  private byte[] lesionMask = new byte[0];
  private byte[] predMask = new byte[0];

  /** Scores boolean masks laid out as {@code dims} (x fastest). */
  public LesionWiseScores score(
      boolean[] predMask,
      boolean[] gtMask,
      Dims dims,
      double[] spacing,
      MetricConventions.Challenge challenge,
      double emptyHd95) {
    byte[] p = new byte[predMask.length];
    byte[] g = new byte[gtMask.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) (predMask[i] ? 1 : 0);
      g[i] = (byte) (gtMask[i] ? 1 : 0);
    }
    boolean[] table = new boolean[256];
    table[1] = true;
    return score(
        p,
        table,
        HausdorffDistance95.boundingBox(p, table, dims),
        g,
        table,
        HausdorffDistance95.boundingBox(g, table, dims),
        dims,
        spacing,
        challenge,
        emptyHd95);
  }

  /**
   * Scores the region {@code predTable} of {@code predLabels} against {@code gtTable} of {@code
   * gtLabels} (256-entry lookups), given each mask's tight bounding box (null when empty).
   */
  public LesionWiseScores score(
      byte[] predLabels,
      boolean[] predTable,
      BoundingBox predBox,
      byte[] gtLabels,
      boolean[] gtTable,
      BoundingBox gtBox,
      Dims dims,
      double[] spacing,
      MetricConventions.Challenge challenge,
      double emptyHd95) {
    if (predBox == null && gtBox == null) {
      return new LesionWiseScores(1, 0, 0, 0, 0, 0);
    }
    int k = challenge.dilation();
    BoundingBox box = grow(union(predBox, gtBox), k, dims);
    Dims local = box.dims();
    int n = local.voxels();
    ensure(n);
    crop(predLabels, predTable, dims, box, pred);
    crop(gtLabels, gtTable, dims, box, gt);
    int predCount = components.label(pred, local, this.predLabels);
    dilate(gt, local, k);
    int lesionCount = components.label(dilated, local, lesionLabels);

    // per lesion: volume, overlap, bounding box; per component: size, bounding box
    long[] lesionVoxels = new long[lesionCount + 1];
    long[] overlap = new long[lesionCount + 1];
    long[] componentVoxels = new long[predCount + 1];
    int[][] lesionBox = boxes(lesionCount + 1);
    int[][] componentBox = boxes(predCount + 1);
    List<long[]> pairs = new ArrayList<>();
    java.util.Set<Long> seen = new java.util.HashSet<>();
    int nx = local.nx();
    int ny = local.ny();
    int i = 0;
    long last = -1;
    for (int z = 0; z < local.nz(); z++) {
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++, i++) {
          int l = lesionLabels[i];
          int c = this.predLabels[i];
          if (c > 0) {
            componentVoxels[c]++;
            grow(componentBox[c], x, y, z);
          }
          if (l == 0) {
            continue;
          }
          if (gt[i] != 0) {
            lesionVoxels[l]++;
            grow(lesionBox[l], x, y, z);
            if (c > 0) {
              overlap[l]++;
            }
          }
          if (c > 0) {
            long key = (long) l << 32 | c;
            if (key != last && seen.add(key)) {
              pairs.add(new long[] {l, c});
            }
            last = key;
          }
        }
      }
    }
    List<List<Integer>> matched = new ArrayList<>();
    for (int l = 0; l <= lesionCount; l++) {
      matched.add(new ArrayList<>());
    }
    boolean[] componentMatched = new boolean[predCount + 1];
    for (long[] pc : pairs) {
      matched.get((int) pc[0]).add((int) pc[1]);
      componentMatched[(int) pc[1]] = true;
    }
    double diceSum = 0;
    double hdSum = 0;
    int entries = 0;
    int tp = 0;
    int fn = 0;
    int leftOut = 0;
    for (int l = 1; l <= lesionCount; l++) {
      double volume = lesionVoxels[l] * spacing[0] * spacing[1] * spacing[2];
      if (volume <= challenge.volumeThresholdMm3()) {
        leftOut++;
        continue;
      }
      List<Integer> comps = matched.get(l);
      entries++;
      if (comps.isEmpty()) {
        fn++;
        hdSum += emptyHd95;
        continue;
      }
      tp++;
      long predVoxels = 0;
      for (int c : comps) {
        predVoxels += componentVoxels[c];
      }
      diceSum += 2.0 * overlap[l] / (lesionVoxels[l] + predVoxels);
      double h = lesionHd95(l, comps, lesionBox, componentBox, local, spacing);
      hdSum += Double.isInfinite(h) ? emptyHd95 : h;
    }
    int fp = 0;
    for (int c = 1; c <= predCount; c++) {
      if (!componentMatched[c]) {
        fp++;
      }
    }
    hdSum += fp * emptyHd95;
    entries += fp;
    if (entries == 0) {
      return new LesionWiseScores(1, 0, tp, fn, fp, leftOut);
    }
    return new LesionWiseScores(diceSum / entries, hdSum / entries, tp, fn, fp, leftOut);
  }

  /** Surface HD95 between lesion {@code l} and the union of components {@code comps}. */
  private double lesionHd95(
      int l,
      List<Integer> comps,
      int[][] lesionBox,
      int[][] componentBox,
      Dims local,
      double[] sp) {
    int[] b = lesionBox[l].clone();
    boolean[] in = new boolean[componentBox.length];
    for (int c : comps) {
      in[c] = true;
      int[] cb = componentBox[c];
      for (int a = 0; a < 3; a++) {
        b[a] = Math.min(b[a], cb[a]);
        b[a + 3] = Math.max(b[a + 3], cb[a + 3]);
      }
    }
    int sx = b[3] - b[0] + 1;
    int sy = b[4] - b[1] + 1;
    int sz = b[5] - b[2] + 1;
    int n = sx * sy * sz;
    if (lesionMask.length < n) {
      lesionMask = new byte[n];
      predMask = new byte[n];
    }
    int nx = local.nx();
    int ny = local.ny();
    int j = 0;
    for (int z = b[2]; z <= b[5]; z++) {
      for (int y = b[1]; y <= b[4]; y++) {
        int row = nx * (y + ny * z);
        for (int x = b[0]; x <= b[3]; x++, j++) {
          int i = row + x;
          lesionMask[j] = (byte) (gt[i] != 0 && lesionLabels[i] == l ? 1 : 0);
          predMask[j] = (byte) (in[predLabels[i]] ? 1 : 0);
        }
      }
    }
    return surface.compute(lesionMask, predMask, new Dims(sx, sy, sz), sp);
  }

  /** {@code dilated} = {@code mask} dilated {@code times} with the 18-neighbour element. */
  private void dilate(byte[] mask, Dims d, int times) {
    int n = d.voxels();
    System.arraycopy(mask, 0, dilated, 0, n);
    int nx = d.nx();
    int ny = d.ny();
    int nz = d.nz();
    int slice = nx * ny;
    for (int t = 0; t < times; t++) {
      System.arraycopy(dilated, 0, scratch, 0, n);
      int i = 0;
      for (int z = 0; z < nz; z++) {
        for (int y = 0; y < ny; y++) {
          for (int x = 0; x < nx; x++, i++) {
            if (scratch[i] == 0) {
              continue;
            }
            for (int dz = -1; dz <= 1; dz++) {
              int zz = z + dz;
              if (zz < 0 || zz >= nz) {
                continue;
              }
              for (int dy = -1; dy <= 1; dy++) {
                int yy = y + dy;
                if (yy < 0 || yy >= ny) {
                  continue;
                }
                for (int dx = -1; dx <= 1; dx++) {
                  int xx = x + dx;
                  if (xx < 0 || xx >= nx || (dx != 0 && dy != 0 && dz != 0)) {
                    continue; // the 8 corners are not in the 18-neighbourhood
                  }
                  dilated[xx + nx * yy + slice * zz] = 1;
                }
              }
            }
          }
        }
      }
    }
  }

  static void crop(byte[] labels, boolean[] table, Dims dims, BoundingBox box, byte[] out) {
    int nx = dims.nx();
    int ny = dims.ny();
    int j = 0;
    for (int z = box.z0(); z < box.z1(); z++) {
      for (int y = box.y0(); y < box.y1(); y++) {
        int row = nx * (y + ny * z);
        for (int x = box.x0(); x < box.x1(); x++, j++) {
          out[j] = (byte) (table[labels[row + x] & 0xFF] ? 1 : 0);
        }
      }
    }
  }

  static BoundingBox union(BoundingBox a, BoundingBox b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return new BoundingBox(
        Math.min(a.x0(), b.x0()),
        Math.min(a.y0(), b.y0()),
        Math.min(a.z0(), b.z0()),
        Math.max(a.x1(), b.x1()),
        Math.max(a.y1(), b.y1()),
        Math.max(a.z1(), b.z1()));
  }

  private static BoundingBox grow(BoundingBox b, int margin, Dims dims) {
    return new BoundingBox(
        Math.max(0, b.x0() - margin),
        Math.max(0, b.y0() - margin),
        Math.max(0, b.z0() - margin),
        Math.min(dims.nx(), b.x1() + margin),
        Math.min(dims.ny(), b.y1() + margin),
        Math.min(dims.nz(), b.z1() + margin));
  }

  private static int[][] boxes(int n) {
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      out[i] =
          new int[] {
            Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1, -1,
          };
    }
    return out;
  }

  private static void grow(int[] b, int x, int y, int z) {
    b[0] = Math.min(b[0], x);
    b[1] = Math.min(b[1], y);
    b[2] = Math.min(b[2], z);
    b[3] = Math.max(b[3], x);
    b[4] = Math.max(b[4], y);
    b[5] = Math.max(b[5], z);
  }

  private void ensure(int n) {
    if (gt.length < n) {
      gt = new byte[n];
      pred = new byte[n];
      dilated = new byte[n];
      scratch = new byte[n];
      predLabels = new int[n];
      lesionLabels = new int[n];
    }
  }
}
