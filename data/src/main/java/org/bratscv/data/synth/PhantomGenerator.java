package org.bratscv.data.synth;

import java.util.SplittableRandom;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.random.Seeds;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;

/**
 * Deterministic synthetic BraTS cases. A brain-shaped region (a wobbly ellipsoid) on a zero
 * background holds white matter, a grey-matter rim, ventricles and sulcal CSF, with tissue texture,
 * Gaussian noise and a smooth multiplicative bias field per modality. A tumor sits at a random
 * place with random size and irregular shape: edema (bright on FLAIR and T2, fading towards its
 * border), an enhancing rim (bright on T1Gd) and a necrotic or non-enhancing core (dark on T1Gd).
 * About one case in five has no enhancing tumor. Learnable from the four channels together, but no
 * single threshold on one channel finds the tumor: edema overlaps grey matter on FLAIR near its
 * border, CSF is brighter than edema on T2, and the bias field shifts every intensity.
 *
 * <p>The same (seed, case index, size) always gives the same voxels, on any machine.
 */
public final class PhantomGenerator {
  /** The BraTS volume size: 240 x 240 x 155 voxels of 1 mm. */
  public static final Dims BRATS_SIZE = new Dims(240, 240, 155);

  /** Probability that a case has no enhancing tumor (a lower-grade-like lesion). */
  public static final double NO_ENHANCING_FRACTION = 0.2;

  // Tissue classes, and their mean intensity per modality (T1, T1Gd, T2, FLAIR), x1000 in files.
  private static final int WM = 0;
  private static final int GM = 1;
  private static final int CSF = 2;
  private static final int EDEMA = 3;
  private static final int NECROSIS = 4;
  private static final int ENHANCING = 5;
  private static final double[][] MEAN = {
    {0.85, 0.85, 0.40, 0.45}, // white matter
    {0.60, 0.62, 0.70, 0.70}, // grey matter
    {0.25, 0.25, 1.20, 0.20}, // CSF
    {0.55, 0.55, 0.95, 1.05}, // edema (scaled down towards its border)
    {0.35, 0.30, 1.05, 0.80}, // necrosis / non-enhancing core
    {0.60, 1.40, 0.75, 0.85}, // enhancing tumor
  };

  private final Dims dims;
  private final long seed;
  private final double lesionScale;

  public PhantomGenerator(Dims dims, long seed) {
    this(dims, seed, 1);
  }

  /**
   * @param lesionScale tumour radii relative to the brain, 1 for BraTS-like proportions. Lesion
   *     sizes scale with the volume like everything else, so a small volume holds a small tumour:
   *     at 48x48x32 (voxels of about 5 mm) the enhancing rim is thinner than a voxel and a core can
   *     be 8 voxels, where Dice measures little but partial volume. A scale above 1 draws the
   *     tumour larger within the same brain (the rest of the case stays as it was).
   */
  public PhantomGenerator(Dims dims, long seed, double lesionScale) {
    if (dims.nx() < 16 || dims.ny() < 16 || dims.nz() < 16) {
      throw new IllegalArgumentException("phantoms need at least 16 voxels per axis, got " + dims);
    }
    if (!(lesionScale >= 0.25 && lesionScale <= 4)) {
      throw new IllegalArgumentException("lesion scale must be within 0.25..4, got " + lesionScale);
    }
    this.dims = dims;
    this.seed = seed;
    this.lesionScale = lesionScale;
  }

  /** Tumour radii relative to BraTS-like proportions (1). */
  public double lesionScale() {
    return lesionScale;
  }

  /** The BraTS 2020-style geometry: 1 mm voxels, axes flipped in x and y as in the BraTS files. */
  public Geometry geometry() {
    Affine a = Affine.ofRowMajor(-1, 0, 0, 0, 0, -1, 0, dims.ny() - 1, 0, 0, 1, 0, 0, 0, 0, 1);
    return new Geometry(dims, new double[] {1, 1, 1}, a);
  }

  /** Case id of the {@code index}-th case (1-based) in the BraTS 2020 training naming. */
  public static String caseId(String prefix, int index) {
    return String.format("BraTS20_%s_%03d", prefix, index);
  }

  /** Generates case number {@code index} of this seed. */
  public Phantom generate(String caseId, int index) {
    SplittableRandom rng = Seeds.random(Seeds.child(Seeds.child(seed, "phantom"), index));
    int nx = dims.nx();
    int ny = dims.ny();
    int nz = dims.nz();
    double scale = Math.min(nx, Math.min(ny, nz * 240.0 / 155.0)) / 240.0;

    // brain: an ellipsoid with a wobbly surface
    double bcx = nx * (0.5 + 0.02 * SmoothField.gaussian(rng));
    double bcy = ny * (0.52 + 0.02 * SmoothField.gaussian(rng));
    double bcz = nz * (0.45 + 0.02 * SmoothField.gaussian(rng));
    double brx = nx * 0.30 * (1 + 0.05 * SmoothField.gaussian(rng));
    double bry = ny * 0.37 * (1 + 0.05 * SmoothField.gaussian(rng));
    double brz = nz * 0.38 * (1 + 0.05 * SmoothField.gaussian(rng));
    SmoothField wobble = new SmoothField(dims, 24 * scale + 4, rng);
    SmoothField rim = new SmoothField(dims, 10 * scale + 3, rng);
    SmoothField texture = new SmoothField(dims, 3, rng);

    // tumor: somewhere well inside the brain
    double[] tc = new double[3];
    do {
      tc[0] = rng.nextDouble(-0.55, 0.55);
      tc[1] = rng.nextDouble(-0.55, 0.55);
      tc[2] = rng.nextDouble(-0.55, 0.55);
    } while (tc[0] * tc[0] + tc[1] * tc[1] + tc[2] * tc[2] > 0.3);
    double tcx = bcx + tc[0] * brx;
    double tcy = bcy + tc[1] * bry;
    double tcz = bcz + tc[2] * brz;
    double edemaR = Math.max(3, rng.nextDouble(14, 30) * scale * lesionScale);
    double coreR = edemaR * rng.nextDouble(0.4, 0.65);
    double necroR = coreR * rng.nextDouble(0.3, 0.6);
    boolean enhancing = rng.nextDouble() >= NO_ENHANCING_FRACTION;
    double[] stretch = {rng.nextDouble(0.75, 1.3), rng.nextDouble(0.75, 1.3), 1};
    stretch[2] = 1 / Math.sqrt(stretch[0] * stretch[1]);
    SmoothField lesionShape = new SmoothField(dims, Math.max(3, edemaR * 0.6), rng);

    double[] bias = new double[4];
    SmoothField[] biasFields = new SmoothField[4];
    for (int m = 0; m < 4; m++) {
      bias[m] = rng.nextDouble(0.2, 0.3);
      biasFields[m] = new SmoothField(dims, 70 * scale + 8, rng);
    }
    double noise = rng.nextDouble(0.025, 0.045);

    int n = dims.voxels();
    float[][] ch = new float[4][n];
    byte[] seg = new byte[n];
    int ventricleDx = (int) Math.round(0.05 * nx);
    for (int z = 0; z < nz; z++) {
      for (int y = 0; y < ny; y++) {
        for (int x = 0; x < nx; x++) {
          double ex = (x - bcx) / brx;
          double ey = (y - bcy) / bry;
          double ez = (z - bcz) / brz;
          double r = Math.sqrt(ex * ex + ey * ey + ez * ez);
          double surface = 1 + 0.07 * wobble.at(x, y, z);
          if (r >= surface) {
            continue;
          }
          int tissue;
          double depth = r / surface;
          if (depth > 0.94 && rim.at(x, y, z) > 0.4) {
            tissue = CSF;
          } else if (depth > 0.80 + 0.06 * rim.at(x, y, z)) {
            tissue = GM;
          } else {
            tissue = WM;
          }
          double vx = (Math.abs(x - bcx) - ventricleDx) / (0.045 * nx);
          double vy = (y - bcy) / (0.13 * ny);
          double vz = (z - bcz - 0.05 * nz) / (0.09 * nz);
          if (vx * vx + vy * vy + vz * vz < 1) {
            tissue = CSF;
          }

          double lx = (x - tcx) / stretch[0];
          double ly = (y - tcy) / stretch[1];
          double lz = (z - tcz) / stretch[2];
          double d = Math.sqrt(lx * lx + ly * ly + lz * lz) * (1 + 0.18 * lesionShape.at(x, y, z));
          int label = 0;
          double edemaFade = 1;
          if (d < necroR) {
            tissue = NECROSIS;
            label = LabelScheme.NECROTIC_CORE;
          } else if (d < coreR) {
            tissue = enhancing ? ENHANCING : NECROSIS;
            label = enhancing ? 4 : LabelScheme.NECROTIC_CORE;
          } else if (d < edemaR && depth < 0.97) {
            tissue = EDEMA;
            label = LabelScheme.EDEMA;
            edemaFade = 1 - 0.75 * (d - coreR) / (edemaR - coreR);
          }
          int i = dims.index(x, y, z);
          seg[i] = (byte) label;
          double tex = 1 + 0.05 * texture.at(x, y, z);
          for (int m = 0; m < 4; m++) {
            double mean = MEAN[tissue][m];
            if (tissue == EDEMA) {
              // edema fades into the tissue it infiltrates
              mean = MEAN[WM][m] + (mean - MEAN[WM][m]) * edemaFade;
            }
            double v =
                mean * tex * (1 + bias[m] * biasFields[m].at(x, y, z))
                    + noise * SmoothField.gaussian(rng);
            ch[m][i] = (float) Math.max(1, Math.min(32767, Math.rint(v * 1000)));
          }
        }
      }
    }
    Geometry g = geometry();
    return new Phantom(caseId, new MultiChannelVolume(g, ch), new LabelVolume(g, seg));
  }
}
