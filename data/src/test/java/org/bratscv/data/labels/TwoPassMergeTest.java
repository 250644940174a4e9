package org.bratscv.data.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bratscv.data.volume.Dims;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.junit.jupiter.api.Test;

class TwoPassMergeTest {

  @Test
  void truthTableOverAllBrats2020LabelPairs() {
    int[] labels = {0, 1, 2, 4};
    // expected[a][b], rows = pipeline A's label, columns = pipeline B's label (0, 1, 2, 4)
    int[][] expected = {
      {0, 0, 2, 0}, // A background: only B's edema is taken
      {1, 1, 1, 1}, // A NCR: never changed
      {0, 2, 2, 2}, // A edema: dropped only where B says background
      {4, 4, 4, 4}, // A ET: never changed
    };
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(
            expected[i][j],
            TwoPassMerge.merge(labels[i], labels[j]),
            "A=" + labels[i] + " B=" + labels[j]);
      }
    }
  }

  @Test
  void truthTableWith2023EnhancingLabel() {
    int[] labels = {0, 1, 2, 3};
    int[][] expected = {{0, 0, 2, 0}, {1, 1, 1, 1}, {0, 2, 2, 2}, {3, 3, 3, 3}};
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(expected[i][j], TwoPassMerge.merge(labels[i], labels[j]));
      }
    }
  }

  @Test
  void mergesWholeLabelmapsVoxelByVoxelOnAsGeometry() {
    Geometry g = Geometry.isotropic(new Dims(4, 2, 1));
    LabelVolume a = new LabelVolume(g, new byte[] {0, 0, 2, 2, 1, 4, 2, 0});
    LabelVolume b = new LabelVolume(g, new byte[] {2, 4, 0, 1, 0, 0, 2, 0});
    LabelVolume m = TwoPassMerge.merge(a, b);
    assertArrayEquals(new byte[] {2, 0, 0, 2, 1, 4, 2, 0}, m.labels());
    assertEquals(g, m.geometry());
  }

  @Test
  void rejectsLabelmapsOfDifferentSize() {
    LabelVolume a = new LabelVolume(Geometry.isotropic(new Dims(2, 2, 2)), new byte[8]);
    LabelVolume b = new LabelVolume(Geometry.isotropic(new Dims(2, 2, 1)), new byte[4]);
    assertThrows(IllegalArgumentException.class, () -> TwoPassMerge.merge(a, b));
  }
}
