package org.bratscv.jobs.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.function.IntPredicate;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.labels.ViewerColourTables;
import org.bratscv.data.preprocess.MinMaxPercentileNormalization;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;

/**
 * The picture of one case the report shows: an axial slice through the tumor, T1Gd in grey with the
 * labels on top as in the paper's figures (enhancing tumor red, NCR/NET green, edema yellow, 60%
 * opaque), ground truth on the left and prediction on the right.
 *
 * <p>Orientation: the slice is shown in the radiological convention, whatever the voxel order of
 * the file: anterior at the top, the patient's right on the image's left (as if looking up from the
 * feet), read from the affine. For BraTS files (LPS voxel axes: x runs to the patient's left, y to
 * posterior) that is the stored array itself, x across and y down; a RAS-stored volume is flipped
 * in both. The letters A, P, R, L at the panel edges say so on the picture. Pixels keep the voxel
 * spacing's aspect.
 */
final class TumorOverlay {
  /** Pixels along the longer side of each panel. */
  static final int PANEL = 256;

  /** Margin around and between the panels. */
  static final int PAD = 8;

  /** Height of the title strip above the panels. */
  static final int TITLE = 20;

  static final float ALPHA = 0.6f;
  static final Color ENHANCING = rgb(ViewerColourTables.ENHANCING);
  static final Color NECROTIC_CORE = rgb(ViewerColourTables.NECROTIC_CORE);
  static final Color EDEMA = rgb(ViewerColourTables.EDEMA);

  private static Color rgb(int[] c) {
    return new Color(c[0], c[1], c[2]);
  }

  private TumorOverlay() {}

  /**
   * How voxel axes map to the axial picture: the axis that runs along the world's z (the slice
   * axis), the one along x (image columns, patient right to left) and the one along y (image rows,
   * anterior to posterior), each with whether its voxel index runs against the picture.
   */
  record AxialView(int sliceAxis, int colAxis, boolean colFlip, int rowAxis, boolean rowFlip) {
    /**
     * From the voxel-to-world (RAS+) affine: each voxel axis goes with the world axis it moves
     * along most. Columns run from the patient's right (+x) to left, so an axis whose index grows
     * to the right is flipped; rows run from anterior (+y) to posterior, so an axis whose index
     * grows to anterior is flipped. An affine that maps two voxel axes on one world axis (no
     * orientation to read) is taken as BraTS's LPS.
     */
    static AxialView of(Affine a) {
      int[] worldOf = new int[3];
      boolean[] taken = new boolean[3];
      for (int axis = 0; axis < 3; axis++) {
        int best = 0;
        for (int w = 1; w < 3; w++) {
          if (Math.abs(a.get(w, axis)) > Math.abs(a.get(best, axis))) {
            best = w;
          }
        }
        if (taken[best] || a.get(best, axis) == 0) {
          return new AxialView(2, 0, false, 1, false);
        }
        taken[best] = true;
        worldOf[axis] = best;
      }
      int slice = axisAlong(worldOf, 2);
      int col = axisAlong(worldOf, 0);
      int row = axisAlong(worldOf, 1);
      return new AxialView(slice, col, a.get(0, col) > 0, row, a.get(1, row) > 0);
    }

    private static int axisAlong(int[] worldOf, int world) {
      for (int axis = 0; axis < 3; axis++) {
        if (worldOf[axis] == world) {
          return axis;
        }
      }
      throw new IllegalStateException("no voxel axis along world axis " + world);
    }

    int slices(Dims d) {
      return d.size(sliceAxis);
    }

    int cols(Dims d) {
      return d.size(colAxis);
    }

    int rows(Dims d) {
      return d.size(rowAxis);
    }

    /** The voxel index (x fastest) shown at ({@code row}, {@code col}) of slice {@code slice}. */
    int voxel(Dims d, int slice, int row, int col) {
      int[] xyz = new int[3];
      xyz[sliceAxis] = slice;
      xyz[colAxis] = colFlip ? d.size(colAxis) - 1 - col : col;
      xyz[rowAxis] = rowFlip ? d.size(rowAxis) - 1 - row : row;
      return d.index(xyz[0], xyz[1], xyz[2]);
    }
  }

  /** What was drawn: the picture, the slice (index along the slice axis) and the grey window. */
  record Rendered(
      BufferedImage image, int sliceAxis, int slice, double windowLow, double windowHigh) {}

  /**
   * Draws {@code gt} (may be null: an unlabelled case) and {@code pred} over {@code t1gd} on the
   * axial slice where the tumor (every label of the whole tumor) is largest in the ground truth, or
   * in the prediction when there is none; with no tumor anywhere, the slice with the most brain.
   */
  static Rendered render(
      Volume t1gd, LabelVolume gt, LabelVolume pred, LabelScheme scheme, String predTitle) {
    Geometry g = t1gd.geometry();
    Dims d = g.dims();
    requireSameDims("prediction", pred.dims(), d);
    if (gt != null) {
      requireSameDims("ground truth", gt.dims(), d);
    }
    AxialView view = AxialView.of(g.affine());
    int slice = tumorSlice(gt != null ? gt : pred, view, scheme);
    if (slice < 0 && gt != null) {
      slice = tumorSlice(pred, view, scheme);
    }
    if (slice < 0) {
      slice = brainSlice(t1gd, view);
    }
    double[] window = window(t1gd);

    int cols = view.cols(d);
    int rows = view.rows(d);
    double width = cols * g.spacing(view.colAxis());
    double height = rows * g.spacing(view.rowAxis());
    double scale = PANEL / Math.max(width, height);
    int panelW = Math.max(1, (int) Math.round(width * scale));
    int panelH = Math.max(1, (int) Math.round(height * scale));

    BufferedImage img =
        new BufferedImage(
            2 * panelW + 3 * PAD, panelH + TITLE + 2 * PAD, BufferedImage.TYPE_INT_RGB);
    int[] lut = colours(scheme);
    int top = PAD + TITLE;
    drawPanel(img, PAD, top, panelW, panelH, t1gd, gt, lut, view, slice, window);
    drawPanel(img, 2 * PAD + panelW, top, panelW, panelH, t1gd, pred, lut, view, slice, window);

    Graphics2D gr = img.createGraphics();
    try {
      gr.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      gr.setColor(Color.WHITE);
      gr.drawString(gt == null ? "ground truth: none" : "ground truth", PAD, PAD + 14);
      gr.drawString(predTitle, 2 * PAD + panelW, PAD + 14);
      gr.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
      gr.setColor(new Color(200, 200, 255));
      for (int x0 : new int[] {PAD, 2 * PAD + panelW}) {
        orientationLetters(gr, x0, top, panelW, panelH);
      }
    } finally {
      gr.dispose();
    }
    return new Rendered(img, view.sliceAxis(), slice, window[0], window[1]);
  }

  private static void orientationLetters(Graphics2D gr, int x0, int y0, int w, int h) {
    FontMetrics fm = gr.getFontMetrics();
    int asc = fm.getAscent();
    gr.drawString("A", x0 + (w - fm.stringWidth("A")) / 2, y0 + asc + 1);
    gr.drawString("P", x0 + (w - fm.stringWidth("P")) / 2, y0 + h - 3);
    gr.drawString("R", x0 + 3, y0 + (h + asc) / 2);
    gr.drawString("L", x0 + w - 3 - fm.stringWidth("L"), y0 + (h + asc) / 2);
  }

  private static void drawPanel(
      BufferedImage img,
      int x0,
      int y0,
      int w,
      int h,
      Volume t1gd,
      LabelVolume labels,
      int[] lut,
      AxialView view,
      int slice,
      double[] window) {
    Dims d = t1gd.dims();
    float[] grey = t1gd.data();
    byte[] lab = labels == null ? null : labels.labels();
    int cols = view.cols(d);
    int rows = view.rows(d);
    double span = window[1] - window[0];
    for (int py = 0; py < h; py++) {
      int row = Math.min(rows - 1, (int) ((long) py * rows / h));
      for (int px = 0; px < w; px++) {
        int col = Math.min(cols - 1, (int) ((long) px * cols / w));
        int v = view.voxel(d, slice, row, col);
        double t = span > 0 ? (grey[v] - window[0]) / span : 0;
        int gv = (int) Math.round(255 * Math.max(0, Math.min(1, t)));
        int r = gv;
        int gg = gv;
        int b = gv;
        int colour = lab == null ? -1 : lut[lab[v] & 0xff];
        if (colour >= 0) {
          r = blend(gv, (colour >> 16) & 0xff);
          gg = blend(gv, (colour >> 8) & 0xff);
          b = blend(gv, colour & 0xff);
        }
        img.setRGB(x0 + px, y0 + py, (r << 16) | (gg << 8) | b);
      }
    }
  }

  private static int blend(int grey, int colour) {
    return Math.round((1 - ALPHA) * grey + ALPHA * colour);
  }

  /** Colour (RGB) of each label value, -1 for none: ET red, NCR/NET green, edema yellow. */
  static int[] colours(LabelScheme scheme) {
    int[] lut = new int[256];
    Arrays.fill(lut, -1);
    lut[scheme.necroticLabel()] = NECROTIC_CORE.getRGB() & 0xffffff;
    lut[scheme.edemaLabel()] = EDEMA.getRGB() & 0xffffff;
    lut[scheme.enhancingLabel()] = ENHANCING.getRGB() & 0xffffff;
    return lut;
  }

  /** The slice with the most whole-tumor voxels, or -1 when there are none. */
  static int tumorSlice(LabelVolume labels, AxialView view, LabelScheme scheme) {
    boolean[] tumor = scheme.regionTable(Region.WT);
    byte[] l = labels.labels();
    return argmaxPositive(countPerSlice(labels.dims(), view, i -> tumor[l[i] & 0xff]));
  }

  /** The slice with the most non-zero voxels; the middle one when the volume is all zero. */
  static int brainSlice(Volume t1gd, AxialView view) {
    float[] v = t1gd.data();
    long[] count = countPerSlice(t1gd.dims(), view, i -> v[i] != 0);
    int s = argmaxPositive(count);
    return s >= 0 ? s : count.length / 2;
  }

  /** How many voxels of each slice of {@code view} pass {@code voxel} (given the voxel index). */
  private static long[] countPerSlice(Dims d, AxialView view, IntPredicate voxel) {
    long[] count = new long[view.slices(d)];
    int[] xyz = new int[3];
    for (int z = 0; z < d.nz(); z++) {
      xyz[2] = z;
      for (int y = 0; y < d.ny(); y++) {
        xyz[1] = y;
        for (int x = 0; x < d.nx(); x++) {
          if (voxel.test(d.index(x, y, z))) {
            xyz[0] = x;
            count[xyz[view.sliceAxis()]]++;
          }
        }
      }
    }
    return count;
  }

  private static int argmaxPositive(long[] count) {
    int best = -1;
    for (int i = 0; i < count.length; i++) {
      if (count[i] > 0 && (best < 0 || count[i] > count[best])) {
        best = i;
      }
    }
    return best;
  }

  /** Grey window: the 1st and 99th percentile of the brain (the positive voxels). */
  static double[] window(Volume t1gd) {
    try {
      return MinMaxPercentileNormalization.PAPER.clipBounds(t1gd.data());
    } catch (IllegalArgumentException e) { // all zero or not finite: a plain 0..1 window
      return new double[] {0, 1};
    }
  }

  private static void requireSameDims(String what, Dims got, Dims t1gd) {
    if (!got.equals(t1gd)) {
      throw new IllegalArgumentException(what + " has " + got + " voxels but T1Gd has " + t1gd);
    }
  }
}
