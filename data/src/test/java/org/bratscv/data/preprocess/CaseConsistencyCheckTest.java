package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.preprocess.CaseConsistencyCheck.NamedVolume;
import org.bratscv.data.volume.Affine;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.Volume;
import org.junit.jupiter.api.Test;

class CaseConsistencyCheckTest {
  private static final String CASE = "BraTS20_Training_017";
  private static final CaseConsistencyCheck CHECK = CaseConsistencyCheck.DEFAULT;

  private static Geometry shifted(Dims d, double dx) {
    return new Geometry(
        d,
        new double[] {1, 1, 1},
        Affine.ofRows(
            new double[] {-1, 0, 0, dx}, new double[] {0, -1, 0, 239}, new double[] {0, 0, 1, 0}));
  }

  @Test
  void shapeMismatchNamesTheCaseAndBothFiles() {
    InvalidCaseException e =
        assertThrows(
            InvalidCaseException.class,
            () ->
                CHECK.checkGeometries(
                    CASE,
                    List.of(
                        new NamedGeometry("t1", Geometry.isotropic(new Dims(240, 240, 155))),
                        new NamedGeometry("flair", Geometry.isotropic(new Dims(240, 240, 150))))));
    assertEquals(
        "case BraTS20_Training_017: flair has shape 240x240x150 but t1 has 240x240x155",
        e.getMessage());
    assertEquals(CASE, e.caseId());
    assertEquals(List.of("flair", "t1"), e.files());
  }

  @Test
  void affinesWithinToleranceMatchAndAShiftedGridDoesNot() {
    Dims d = new Dims(4, 4, 4);
    CHECK.checkGeometries(
        CASE,
        List.of(new NamedGeometry("t1", shifted(d, 0)), new NamedGeometry("t2", shifted(d, 4e-4))));
    InvalidCaseException e =
        assertThrows(
            InvalidCaseException.class,
            () ->
                CHECK.checkGeometries(
                    CASE,
                    List.of(
                        new NamedGeometry("t1", shifted(d, 0)),
                        new NamedGeometry("seg", shifted(d, 0.5)))));
    assertTrue(e.getMessage().contains("seg is not on t1's voxel grid"), e.getMessage());
    assertTrue(e.getMessage().contains("0.5"), e.getMessage());
  }

  @Test
  void nanAndInfiniteVoxelsAreCountedAndLocated() {
    Dims d = new Dims(3, 2, 1);
    float[] v = {1, 2, 3, Float.NaN, Float.POSITIVE_INFINITY, Float.NaN};
    InvalidCaseException e =
        assertThrows(
            InvalidCaseException.class,
            () -> CHECK.checkIntensities(CASE, "t1ce", new Volume(Geometry.isotropic(d), v)));
    assertEquals(
        "case BraTS20_Training_017: t1ce holds 2 NaN and 1 infinite voxels (first at voxel (0, 1,"
            + " 0))",
        e.getMessage());
  }

  @Test
  void allZeroModalityIsAnError() {
    Volume zero = new Volume(Geometry.isotropic(new Dims(2, 2, 2)), new float[8]);
    InvalidCaseException e =
        assertThrows(InvalidCaseException.class, () -> CHECK.checkIntensities(CASE, "t2", zero));
    assertTrue(e.getMessage().contains("t2 is all zero"), e.getMessage());
  }

  @Test
  void labelsOutsideTheSchemeAreListedWithTheirCounts() {
    LabelVolume seg = Volumes.labels(new Dims(6, 1, 1), new byte[] {0, 1, 3, 3, 4, 5});
    InvalidCaseException e =
        assertThrows(
            InvalidCaseException.class,
            () -> CHECK.checkLabels(CASE, "seg", seg, LabelScheme.BRATS2020));
    assertEquals(
        "case BraTS20_Training_017: seg holds labels that BRATS2020 does not use (valid: [0, 1, 2,"
            + " 4]): 3 (2 voxels), 5 (1 voxel)",
        e.getMessage());
    InvalidCaseException e2024 =
        assertThrows(
            InvalidCaseException.class,
            () -> CHECK.checkLabels(CASE, "seg", seg, LabelScheme.BRATS2024));
    assertTrue(e2024.getMessage().endsWith(": 5 (1 voxel)"), e2024.getMessage());
  }

  @Test
  void aConsistentCasePassesEveryCheck() {
    Dims d = new Dims(2, 2, 2);
    Geometry g = Geometry.isotropic(d);
    float[] v = {0, 1, 2, 3, 4, 5, 6, 7};
    CHECK.checkCase(
        CASE,
        List.of(new NamedVolume("t1", new Volume(g, v)), new NamedVolume("t2", new Volume(g, v))),
        "seg",
        new LabelVolume(g, new byte[] {0, 0, 1, 2, 4, 0, 0, 0}),
        LabelScheme.BRATS2020);
  }
}
