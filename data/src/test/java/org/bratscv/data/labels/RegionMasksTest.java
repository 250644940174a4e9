package org.bratscv.data.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.junit.jupiter.api.Test;

class RegionMasksTest {
  private final LabelVolume v =
      new LabelVolume(Geometry.isotropic(new Dims(5, 1, 1)), new byte[] {0, 1, 2, 3, 4});

  @Test
  void regionsUseTheBrats2020Labels() {
    assertArrayEquals(
        new boolean[] {false, false, false, false, true},
        RegionMasks.of(v, Region.ET, LabelScheme.BRATS2020));
    assertArrayEquals(
        new boolean[] {false, true, false, false, true},
        RegionMasks.of(v, Region.TC, LabelScheme.BRATS2020));
    assertArrayEquals(
        new boolean[] {false, true, true, false, true},
        RegionMasks.of(v, Region.WT, LabelScheme.BRATS2020));
  }

  @Test
  void resectionCavityOf2024BelongsToNoRegion() {
    assertArrayEquals(
        new boolean[] {false, false, false, true, false},
        RegionMasks.of(v, Region.ET, LabelScheme.BRATS2024));
    assertArrayEquals(
        new boolean[] {false, true, true, true, false},
        RegionMasks.of(v, Region.WT, LabelScheme.BRATS2024));
  }
}
