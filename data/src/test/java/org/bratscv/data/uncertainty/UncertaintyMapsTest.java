package org.bratscv.data.uncertainty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class UncertaintyMapsTest {
  @Test
  void binaryEntropyInBitsTimesHundredRounded() {
    assertEquals(0, UncertaintyMaps.of(0.0));
    assertEquals(0, UncertaintyMaps.of(1.0));
    assertEquals(100, UncertaintyMaps.of(0.5));
    // H(0.25) = 0.25*2 + 0.75*log2(4/3) = 0.8113 bits
    assertEquals(81, UncertaintyMaps.of(0.25));
    assertEquals(81, UncertaintyMaps.of(0.75));
    // H(0.1) = 0.1*3.3219 + 0.9*0.1520 = 0.4690 bits
    assertEquals(47, UncertaintyMaps.of(0.1));
    // H(0.01) = 0.01*6.6439 + 0.99*0.0145 = 0.0808 bits
    assertEquals(8, UncertaintyMaps.of(0.01));
    // H(0.001) = 0.0114 bits -> 1.14 -> 1; H(0.0001) = 0.0015 bits -> 0.15 -> 0 (certain)
    assertEquals(1, UncertaintyMaps.of(0.001));
    assertEquals(0, UncertaintyMaps.of(0.0001));
  }

  @Test
  void aProbabilityOutsideZeroOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> UncertaintyMaps.of(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> UncertaintyMaps.of(1.1));
  }

  @Test
  void mapsFollowTheRegionChannelsAndKeepTheGeometry() {
    Geometry g = Geometry.isotropic(new Dims(2, 1, 1));
    MultiChannelVolume p =
        new MultiChannelVolume(
            g, new float[][] {{0.5f, 1f}, {0.25f, 0f}, {0.1f, 0.9f}}); // ET, TC, WT
    Map<Region, LabelVolume> maps = UncertaintyMaps.of(p);
    assertArrayEquals(new byte[] {100, 0}, maps.get(Region.ET).labels());
    assertArrayEquals(new byte[] {81, 0}, maps.get(Region.TC).labels());
    assertArrayEquals(new byte[] {47, 47}, maps.get(Region.WT).labels());
    for (LabelVolume v : maps.values()) {
      assertSame(g, v.geometry());
    }
    assertEquals("whole", UncertaintyMaps.fileWord(Region.WT));
    assertEquals("core", UncertaintyMaps.fileWord(Region.TC));
    assertEquals("enhance", UncertaintyMaps.fileWord(Region.ET));
  }
}
