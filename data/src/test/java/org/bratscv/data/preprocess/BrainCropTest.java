package org.bratscv.data.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bratscv.data.volume.BoundingBox;
import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.data.volume.Padding;
import org.bratscv.data.volume.Volume;
import org.junit.jupiter.api.Test;

class BrainCropTest {
  @Test
  void paddingToMultipleOf8SplitsEvenlyWithTheOddVoxelAfter() {
    // 155 -> 160: 5 more, 2 before and 3 after; 240 is already a multiple; 13 -> 16.
    Padding p = Padding.toMultipleOf(new Dims(155, 240, 13), 8);
    assertEquals(new Padding(2, 3, 0, 0, 1, 2), p);
    assertEquals(new Dims(160, 240, 16), p.padded(new Dims(155, 240, 13)));
    assertEquals(Padding.NONE, Padding.toMultipleOf(new Dims(8, 16, 24), 8));
  }

  @Test
  void paddingIsUndoneExactly() {
    Dims d = new Dims(5, 3, 2);
    float[] v = Volumes.ramp(d);
    Padding p = Padding.toMultipleOf(d, 4);
    float[] padded = p.apply(v, d);
    assertEquals(p.padded(d).voxels(), padded.length);
    assertEquals(0f, padded[0]);
    assertArrayEquals(v, p.undo(padded, d));
  }

  @Test
  void cropsToTheBrainPadsToMultiplesOf8AndRestoresPredictionsInPlace() {
    Dims full = new Dims(20, 18, 16);
    float[] t1 = new float[full.voxels()];
    // Brain spans x 4..12, y 3..9, z 2..12 (inclusive): with the margin 3..13, 2..10, 1..13.
    for (int z = 2; z <= 12; z++) {
      for (int y = 3; y <= 9; y++) {
        for (int x = 4; x <= 12; x++) {
          t1[full.index(x, y, z)] = 1 + x + 100 * y + 10000 * z;
        }
      }
    }
    MultiChannelVolume image =
        new MultiChannelVolume(Geometry.isotropic(full), new float[][] {t1, t1.clone()});
    BrainCrop crop = BrainCrop.of(image);
    assertEquals(new BoundingBox(3, 2, 1, 14, 11, 14), crop.box());
    assertEquals(new Dims(16, 16, 16), crop.networkDims());
    MultiChannelVolume net = crop.apply(image);
    assertEquals(crop.networkDims(), net.dims());

    // A "prediction" that copies the input back must land exactly on the input.
    MultiChannelVolume restored = crop.restore(net);
    assertArrayEquals(t1, restored.channel(0));
    assertEquals(image.geometry(), restored.geometry());
    Volume one = crop.restore(net.volume(1));
    assertArrayEquals(t1, one.data());

    byte[] labels = new byte[full.voxels()];
    labels[full.index(4, 3, 2)] = 4;
    labels[full.index(12, 9, 12)] = 2;
    LabelVolume seg = new LabelVolume(image.geometry(), labels);
    LabelVolume netSeg = seg.crop(crop.box()).pad(crop.padding());
    assertArrayEquals(labels, crop.restore(netSeg).labels());
  }

  @Test
  void restoreRejectsAPredictionOfTheWrongSize() {
    Dims full = new Dims(9, 9, 9);
    float[] v = new float[full.voxels()];
    v[full.index(4, 4, 4)] = 1;
    BrainCrop crop = BrainCrop.of(Volumes.channels(full, v));
    LabelVolume wrong = Volumes.labels(new Dims(3, 3, 3), new byte[27]);
    assertThrows(IllegalArgumentException.class, () -> crop.restore(wrong));
  }
}
