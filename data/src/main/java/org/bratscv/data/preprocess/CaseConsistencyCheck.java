package org.bratscv.data.preprocess;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;

/**
 * Checks, before preprocessing, that the files of one case can be stacked and trusted:
 *
 * <ul>
 *   <li>every modality (and the seg) has the same shape and the same voxel-to-world affine and
 *       spacing, within {@link #toleranceMm} (BraTS files are co-registered on one 1 mm grid, so
 *       they agree to float rounding; 1e-3 mm allows the rounding of float32 sform rows while still
 *       catching any real shift, rotation or resampling, which is at least a fraction of a voxel);
 *   <li>intensities are finite (no NaN or infinity) and not all zero;
 *   <li>every label belongs to the edition's {@link LabelScheme}.
 * </ul>
 *
 * Each failure is an {@link InvalidCaseException} naming the case, the file(s) and the problem,
 * e.g. {@code case BraTS20_Training_017: flair has shape 240x240x150 but t1 has 240x240x155}.
 *
 * @param toleranceMm largest allowed difference of any affine element or spacing, in mm
 */
public record CaseConsistencyCheck(double toleranceMm) {
  /** Default tolerance: 1e-3 mm. */
  public static final CaseConsistencyCheck DEFAULT = new CaseConsistencyCheck(1e-3);

  public CaseConsistencyCheck {
    if (!(toleranceMm >= 0)) {
      throw new IllegalArgumentException("tolerance must be >= 0 mm, got " + toleranceMm);
    }
  }

  /** A modality volume with its name for messages. */
  public record NamedVolume(String name, Volume volume) {}

  /**
   * Runs every check: geometries of the modalities and the seg, then each modality's intensities,
   * then the labels.
   *
   * @param segName name of the seg file, or null when the case has no labels
   * @param seg the labels, or null when the case has none
   */
  public void checkCase(
      String caseId,
      List<NamedVolume> modalities,
      String segName,
      LabelVolume seg,
      LabelScheme scheme) {
    List<NamedGeometry> geometries = new ArrayList<>();
    for (NamedVolume m : modalities) {
      geometries.add(new NamedGeometry(m.name(), m.volume().geometry()));
    }
    if (seg != null) {
      geometries.add(new NamedGeometry(segName, seg.geometry()));
    }
    checkGeometries(caseId, geometries);
    for (NamedVolume m : modalities) {
      checkIntensities(caseId, m.name(), m.volume());
    }
    if (seg != null) {
      checkLabels(caseId, segName, seg, scheme);
    }
  }

  /** Every input has the first one's shape, spacing and affine (within the tolerance). */
  public void checkGeometries(String caseId, List<NamedGeometry> inputs) {
    if (inputs.isEmpty()) {
      throw new InvalidCaseException(caseId, List.of(), "no input files");
    }
    NamedGeometry ref = inputs.get(0);
    Geometry g0 = ref.geometry();
    for (NamedGeometry in : inputs.subList(1, inputs.size())) {
      Geometry g = in.geometry();
      List<String> files = List.of(in.name(), ref.name());
      if (!g.dims().equals(g0.dims())) {
        throw new InvalidCaseException(
            caseId,
            files,
            in.name() + " has shape " + g.dims() + " but " + ref.name() + " has " + g0.dims());
      }
      for (int a = 0; a < 3; a++) {
        if (!(Math.abs(g.spacing(a) - g0.spacing(a)) <= toleranceMm)) {
          throw new InvalidCaseException(
              caseId,
              files,
              in.name()
                  + " has voxel spacing "
                  + Arrays.toString(g.spacing())
                  + " mm but "
                  + ref.name()
                  + " has "
                  + Arrays.toString(g0.spacing()));
        }
      }
      double diff = g.affine().maxAbsDifference(g0.affine());
      if (!(diff <= toleranceMm)) {
        throw new InvalidCaseException(
            caseId,
            files,
            in.name()
                + " is not on "
                + ref.name()
                + "'s voxel grid: affines differ by up to "
                + String.format(Locale.ROOT, "%.6g", diff)
                + " mm (tolerance "
                + toleranceMm
                + " mm): "
                + g.affine()
                + " vs "
                + g0.affine());
      }
    }
  }

  /** Intensities are finite and not all zero. */
  public void checkIntensities(String caseId, String name, Volume volume) {
    float[] v = volume.data();
    long nan = 0;
    long inf = 0;
    int first = -1;
    boolean anyNonZero = false;
    for (int i = 0; i < v.length; i++) {
      float f = v[i];
      if (Float.isNaN(f)) {
        nan++;
      } else if (Float.isInfinite(f)) {
        inf++;
      } else {
        anyNonZero |= f != 0;
        continue;
      }
      if (first < 0) {
        first = i;
      }
    }
    if (nan + inf > 0) {
      throw new InvalidCaseException(
          caseId,
          List.of(name),
          name
              + " holds "
              + nan
              + " NaN and "
              + inf
              + " infinite voxels (first at voxel "
              + voxel(volume.dims(), first)
              + ")");
    }
    if (!anyNonZero) {
      throw new InvalidCaseException(
          caseId, List.of(name), name + " is all zero (" + volume.dims() + "): an empty modality");
    }
  }

  /** Every label is one of {@code scheme}'s valid labels; the message lists the others. */
  public void checkLabels(String caseId, String name, LabelVolume labels, LabelScheme scheme) {
    long[] counts = new long[256];
    for (byte b : labels.labels()) {
      counts[b & 0xFF]++;
    }
    StringBuilder bad = new StringBuilder();
    for (int l = 0; l < 256; l++) {
      if (counts[l] > 0 && !scheme.isValid(l)) {
        bad.append(bad.length() == 0 ? "" : ", ")
            .append(l)
            .append(" (")
            .append(counts[l])
            .append(counts[l] == 1 ? " voxel)" : " voxels)");
      }
    }
    if (bad.length() > 0) {
      throw new InvalidCaseException(
          caseId,
          List.of(name),
          name
              + " holds labels that "
              + scheme
              + " does not use (valid: "
              + Arrays.toString(scheme.validLabels())
              + "): "
              + bad);
    }
  }

  private static String voxel(Dims d, int index) {
    int x = index % d.nx();
    int y = (index / d.nx()) % d.ny();
    int z = index / (d.nx() * d.ny());
    return "(" + x + ", " + y + ", " + z + ")";
  }
}
