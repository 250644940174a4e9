package org.bratscv.data.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.junit.jupiter.api.Test;

class LabelSchemeTest {
  @Test
  void theDecathlonNumbersEdemaOneNonEnhancingTwoEnhancingThree() {
    LabelScheme msd = LabelScheme.parse("msd");
    assertArrayEquals(new int[] {3}, msd.labelsOf(Region.ET));
    assertArrayEquals(new int[] {2, 3}, msd.labelsOf(Region.TC));
    assertArrayEquals(new int[] {2, 1, 3}, msd.labelsOf(Region.WT));
    assertArrayEquals(new int[] {0, 1, 2, 3}, msd.validLabels());
    assertEquals("edema", msd.labelNames().get(1));
  }

  @Test
  void namedSchemesAndNumberingsParseBackToThemselves() {
    for (LabelScheme s : LabelScheme.values()) {
      assertSame(s, LabelScheme.parse(s.name().toLowerCase(java.util.Locale.ROOT)));
    }
    assertSame(LabelScheme.BRATS2020, LabelScheme.parse("2020"));
    // a numbering equal to a named one is that one
    assertSame(LabelScheme.MSD, LabelScheme.parse("ncr=2,edema=1,et=3"));
    LabelScheme custom = LabelScheme.of(5, 6, 7, Map.of(), "n", "e", "x");
    assertEquals("ncr=5,edema=6,et=7", custom.toString());
    assertEquals(custom, LabelScheme.parse("ncr=5,edema=6,et=7"));
    assertThrows(
        IllegalArgumentException.class, () -> LabelScheme.of(1, 1, 3, Map.of(), "", "", ""));
    assertThrows(IllegalArgumentException.class, () -> LabelScheme.parse("brats1999"));
  }

  @Test
  void labelmapsAndTheTwoPassMergeUseTheSchemesOwnValues() {
    // voxels: ET+TC+WT, TC+WT, WT only, nothing
    float[] et = {0.9f, 0.1f, 0.1f, 0.1f};
    float[] tc = {0.9f, 0.9f, 0.1f, 0.1f};
    float[] wt = {0.9f, 0.9f, 0.9f, 0.1f};
    Geometry g = Geometry.isotropic(new org.bratscv.data.volume.Dims(4, 1, 1));
    LabelVolume msd = RegionLabelmap.fromProbabilities(et, tc, wt, g, LabelScheme.MSD, 0.5);
    assertArrayEquals(new byte[] {3, 2, 1, 0}, msd.labels());
    LabelVolume brats = RegionLabelmap.fromProbabilities(et, tc, wt, g, LabelScheme.BRATS2020, 0.5);
    assertArrayEquals(new byte[] {4, 1, 2, 0}, brats.labels());
    // A: background where B says edema -> edema (1 under MSD); A edema, B background -> background
    LabelVolume a = new LabelVolume(g, new byte[] {0, 1, 2, 3});
    LabelVolume b = new LabelVolume(g, new byte[] {1, 0, 0, 0});
    assertArrayEquals(new byte[] {1, 0, 2, 3}, TwoPassMerge.merge(a, b, LabelScheme.MSD).labels());
  }
}
