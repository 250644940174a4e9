package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.MultiChannelVolume;
import org.junit.jupiter.api.Test;

class RegionTargetsTest {
  private static final Dims D = new Dims(5, 1, 1);

  @Test
  void brats2020LabelsBecomeNestedRegions() {
    MultiChannelVolume t =
        RegionTargets.of(Volumes.labels(D, new byte[] {0, 1, 2, 4, 0}), LabelScheme.BRATS2020);
    assertEquals(3, t.channelCount());
    assertArrayEquals(new float[] {0, 0, 0, 1, 0}, t.channel(Region.ET.channel()));
    assertArrayEquals(new float[] {0, 1, 0, 1, 0}, t.channel(Region.TC.channel()));
    assertArrayEquals(new float[] {0, 1, 1, 1, 0}, t.channel(Region.WT.channel()));
  }

  @Test
  void brats2023UsesThreeForEnhancingAnd2024sCavityIsInNoRegion() {
    byte[] l = {3, 1, 2, 4, 0};
    MultiChannelVolume t23 = RegionTargets.of(Volumes.labels(D, l), LabelScheme.BRATS2023);
    assertArrayEquals(new float[] {1, 0, 0, 0, 0}, t23.channel(0));
    MultiChannelVolume t24 = RegionTargets.of(Volumes.labels(D, l), LabelScheme.BRATS2024);
    assertArrayEquals(new float[] {1, 1, 0, 0, 0}, t24.channel(1));
    assertArrayEquals(new float[] {1, 1, 1, 0, 0}, t24.channel(2));
  }
}
