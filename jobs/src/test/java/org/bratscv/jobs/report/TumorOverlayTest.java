package org.bratscv.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;
import org.junit.jupiter.api.Test;

class TumorOverlayTest {
  static final int PAD = TumorOverlay.PAD;
  static final int TOP = TumorOverlay.PAD + TumorOverlay.TITLE;

  /**
   * A 20 x 16 x 6 volume with T1Gd 100..199, and on slice z = 3 a 4 x 4 block of voxels with T1Gd 0
   * (below the window: black) that starts at {@code voxelOfBlock} and runs {@code stepInto} = {axis
   * and step of the picture's columns, axis and step of its rows}; its first column is ET, the
   * second NCR/NET, the third edema, the fourth unlabelled. Returns T1Gd and the labels.
   */
  private static Volume[] caseWithBlock(Affine affine, int[] voxelOfBlock, int[] stepInto) {
    Dims d = new Dims(20, 16, 6);
    Geometry g = new Geometry(d, new double[] {1, 1, 1}, affine);
    float[] t1gd = new float[d.voxels()];
    for (int i = 0; i < t1gd.length; i++) {
      t1gd[i] = 100 + i % 100;
    }
    byte[] labels = new byte[d.voxels()];
    int[] xyz = new int[3];
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        // a moves along the picture's columns (patient right to left), b along its rows
        for (int k = 0; k < 3; k++) {
          xyz[k] = voxelOfBlock[k];
        }
        xyz[stepInto[0]] += a * stepInto[1];
        xyz[stepInto[2]] += b * stepInto[3];
        int v = d.index(xyz[0], xyz[1], xyz[2]);
        t1gd[v] = 0;
        labels[v] = (byte) (a == 0 ? 4 : a == 1 ? 1 : a == 2 ? 2 : 0);
      }
    }
    return new Volume[] {new Volume(g, t1gd), new LabelVolume(g, labels).toVolume()};
  }

  private static BufferedImage render(Volume[] c) {
    LabelVolume l = LabelVolume.fromVolume(c[1]);
    return TumorOverlay.render(c[0], l, l, LabelScheme.BRATS2020, "prediction").image();
  }

  /** The colour in the middle of the picture of voxel column {@code col} of row 0..3. */
  private static int colourAt(BufferedImage img, int panelX0, int col, int row) {
    double pxPerVoxel = 256 / 20.0;
    int x = panelX0 + (int) ((col + 0.5) * pxPerVoxel);
    int y = TOP + (int) ((row + 0.5) * pxPerVoxel);
    return img.getRGB(x, y) & 0xffffff;
  }

  private static void assertBlockTopLeft(BufferedImage img) {
    int panelW = 256;
    int panelH = (int) Math.round(16 * 256 / 20.0);
    assertEquals(2 * panelW + 3 * PAD, img.getWidth());
    assertEquals(panelH + TOP + PAD, img.getHeight());
    for (int panelX0 : new int[] {PAD, 2 * PAD + panelW}) {
      for (int row = 0; row < 4; row++) {
        // 60% red, green, yellow over black (0.6 x 255 = 153); the fourth column is unlabelled
        // black
        assertEquals(0x990000, colourAt(img, panelX0, 0, row), "ET red at row " + row);
        assertEquals(0x009900, colourAt(img, panelX0, 1, row), "NCR/NET green at row " + row);
        assertEquals(0x999900, colourAt(img, panelX0, 2, row), "edema yellow at row " + row);
        assertEquals(0x000000, colourAt(img, panelX0, 3, row), "unlabelled black at row " + row);
      }
      // next to the block the brain is grey, not coloured
      int grey = colourAt(img, panelX0, 6, 6);
      assertEquals(grey & 0xff, (grey >> 8) & 0xff);
      assertEquals(grey & 0xff, (grey >> 16) & 0xff);
    }
  }

  @Test
  void bratsLpsVolumesShowAsStoredWithTheRightAtTheLeftAndAnteriorUp() {
    // BraTS affine diag(-1, -1, 1): x grows to the patient's left, y to posterior, so the
    // right-anterior corner is voxel (0, 0) and it is drawn top left
    Affine lps = Affine.ofRowMajor(-1, 0, 0, 19, 0, -1, 0, 15, 0, 0, 1, 0, 0, 0, 0, 1);
    assertEquals(new TumorOverlay.AxialView(2, 0, false, 1, false), TumorOverlay.AxialView.of(lps));
    assertBlockTopLeft(render(caseWithBlock(lps, new int[] {0, 0, 3}, new int[] {0, 1, 1, 1})));
  }

  @Test
  void rasVolumesAreFlippedInBothAxes() {
    Affine ras = Affine.ofRowMajor(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
    assertEquals(new TumorOverlay.AxialView(2, 0, true, 1, true), TumorOverlay.AxialView.of(ras));
    // right-anterior is the largest x and y: the block runs towards smaller x and y
    assertBlockTopLeft(render(caseWithBlock(ras, new int[] {19, 15, 3}, new int[] {0, -1, 1, -1})));
  }

  @Test
  void permutedAxesAreFoundFromTheAffine() {
    // voxel i runs anterior, j superior, k to the patient's left (world x = -k, y = i, z = j):
    // the axial slice is along j, columns are k, rows are i flipped
    Affine permuted = Affine.ofRowMajor(0, 0, -1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1);
    assertEquals(
        new TumorOverlay.AxialView(1, 2, false, 0, true), TumorOverlay.AxialView.of(permuted));
  }

  @Test
  void theSliceWithTheLargestTumorIsDrawn() {
    Dims d = new Dims(8, 8, 5);
    Geometry g = Geometry.isotropic(d);
    byte[] l = new byte[d.voxels()];
    l[d.index(1, 1, 1)] = 2;
    l[d.index(1, 1, 3)] = 2;
    l[d.index(2, 1, 3)] = 1;
    float[] t1 = new float[d.voxels()];
    java.util.Arrays.fill(t1, 5);
    TumorOverlay.Rendered r =
        TumorOverlay.render(
            new Volume(g, t1),
            new LabelVolume(g, l),
            new LabelVolume(g, new byte[d.voxels()]),
            LabelScheme.BRATS2020,
            "p");
    assertEquals(2, r.sliceAxis());
    assertEquals(3, r.slice());
  }

  @Test
  void anUnlabelledCaseIsDrawnOnThePredictionsTumorSlice() {
    Dims d = new Dims(8, 8, 5);
    Geometry g = Geometry.isotropic(d);
    byte[] l = new byte[d.voxels()];
    l[d.index(4, 4, 1)] = 4;
    float[] t1 = new float[d.voxels()];
    java.util.Arrays.fill(t1, 5);
    TumorOverlay.Rendered r =
        TumorOverlay.render(
            new Volume(g, t1), null, new LabelVolume(g, l), LabelScheme.BRATS2020, "p");
    assertEquals(1, r.slice());
    // the ground-truth panel is plain grey (constant T1Gd: window of width 0, black)
    assertEquals(0, r.image().getRGB(PAD + 160, TOP + 160) & 0xffffff);
  }
}
