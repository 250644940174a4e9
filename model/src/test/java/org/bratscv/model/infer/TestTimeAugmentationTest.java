package org.bratscv.model.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestTimeAugmentationTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  @Test
  void thereAreSixteenDistinctTransformsIdentityFirst() {
    List<TestTimeAugmentation> all = TestTimeAugmentation.all();
    assertEquals(16, all.size());
    assertEquals(16, new HashSet<>(all).size());
    assertEquals(TestTimeAugmentation.IDENTITY, all.get(0));
  }

  /** D, H, W all different, so every transform's output shape and values are checkable. */
  @Test
  void everyInverseRestoresTheInputExactly() {
    Shape shape = new Shape(1, 2, 3, 4, 5);
    NDArray x = manager.randomNormal(shape);
    float[] original = x.toFloatArray();
    Set<String> images = new HashSet<>();
    for (TestTimeAugmentation t : TestTimeAugmentation.all()) {
      NDArray y = t.apply(x);
      Shape expected =
          t.quarterTurns() % 2 == 0 ? shape : new Shape(1, 2, 3, 5, 4); // 90/270 swap H and W
      assertEquals(expected, y.getShape(), t.toString());
      images.add(java.util.Arrays.toString(y.toFloatArray()) + y.getShape());
      NDArray back = t.invert(y);
      assertEquals(shape, back.getShape(), t.toString());
      assertArrayEquals(original, back.toFloatArray(), 0f, t.toString());
    }
    // As METHOD.md lists them the 16 are 12 distinct maps: an in-plane flip with a half turn is
    // the other in-plane flip (flipH+rot180 = flipW, flipW+rot180 = flipH, and with the quarter
    // turns flipH+rot90 = flipW+rot270, flipH+rot270 = flipW+rot90). The paper averages all 16.
    assertEquals(12, images.size());
  }

  /** Voxel (d, h, w) of x lands where rot90 (H towards W) and the flip say, element by element. */
  @Test
  void flipHThenQuarterTurnMovesVoxelsAsDefined() {
    int d = 2;
    int h = 3;
    int w = 4;
    float[] data = new float[d * h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    NDArray x = manager.create(data, new Shape(1, 1, d, h, w));
    float[] y = new TestTimeAugmentation(3, 1).apply(x).toFloatArray();
    // flip H: f[z][i][j] = x[z][h-1-i][j]; rot90 k=1 in (H, W): r[z][a][b] = f[z][b][w-1-a],
    // shape (d, w, h).
    for (int z = 0; z < d; z++) {
      for (int a = 0; a < w; a++) {
        for (int b = 0; b < h; b++) {
          float expected = data[(z * h + (h - 1 - b)) * w + (w - 1 - a)];
          assertEquals(expected, y[(z * w + a) * h + b], 0f, z + "," + a + "," + b);
        }
      }
    }
    assertNotEquals(TestTimeAugmentation.IDENTITY, new TestTimeAugmentation(3, 1));
  }
}
