package org.bratscv.model.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrilinearUpsampleTest {
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
  void matrixAlignsCornersAndInterpolatesBetweenNeighbours() {
    // n = 3, x2: output i reads input i * 2 / 5 -> 0, .4, .8, 1.2, 1.6, 2.
    float[] m = TrilinearUpsample.interpolationMatrix(3, 2);
    float[][] expected = {
      {1, 0, 0}, {.6f, .4f, 0}, {.2f, .8f, 0}, {0, .8f, .2f}, {0, .4f, .6f}, {0, 0, 1}
    };
    for (int i = 0; i < 6; i++) {
      float[] row = java.util.Arrays.copyOfRange(m, i * 3, i * 3 + 3);
      assertArrayEquals(expected[i], row, 1e-6f, "row " + i);
    }
  }

  @Test
  void singleSampleAxisIsCopied() {
    assertArrayEquals(new float[] {1, 1, 1, 1}, TrilinearUpsample.interpolationMatrix(1, 4));
  }

  /** A linear ramp stays exactly linear: out(i,j,k) = f(i (D-1)/(sD-1), j (H-1)/(sH-1), ...). */
  @Test
  void linearRampIsUpsampledExactlyForEveryScale() {
    for (int scale : new int[] {2, 4, 8}) {
      int c = 2;
      int d = 3;
      int h = 4;
      int w = 5;
      Shape in = new Shape(1, c, d, h, w);
      float[] x = new float[(int) in.size()];
      for (int ch = 0; ch < c; ch++) {
        for (int z = 0; z < d; z++) {
          for (int y = 0; y < h; y++) {
            for (int v = 0; v < w; v++) {
              x[((ch * d + z) * h + y) * w + v] = ramp(ch, z, y, v);
            }
          }
        }
      }
      TrilinearUpsample up = TrilinearUpsample.builder().setScale(scale).build();
      up.initialize(manager, DataType.FLOAT32, in);
      try (NDManager step = manager.newSubManager()) {
        var out =
            up.forward(new ParameterStore(step, false), new NDList(step.create(x, in)), false)
                .singletonOrThrow();
        Shape expectedShape = new Shape(1, c, d * scale, h * scale, w * scale);
        assertEquals(expectedShape, out.getShape());
        assertEquals(expectedShape, up.getOutputShapes(new Shape[] {in})[0]);
        float[] o = out.toFloatArray();
        int sd = d * scale;
        int sh = h * scale;
        int sw = w * scale;
        for (int ch = 0; ch < c; ch++) {
          for (int z = 0; z < sd; z++) {
            for (int y = 0; y < sh; y++) {
              for (int v = 0; v < sw; v++) {
                double pz = z * (d - 1.0) / (sd - 1);
                double py = y * (h - 1.0) / (sh - 1);
                double pv = v * (w - 1.0) / (sw - 1);
                assertEquals(
                    ramp(ch, pz, py, pv),
                    o[((ch * sd + z) * sh + y) * sw + v],
                    2e-5,
                    "scale " + scale + " at " + ch + "," + z + "," + y + "," + v);
              }
            }
          }
        }
      }
    }
  }

  private static float ramp(int ch, double z, double y, double x) {
    return (float) (1.5 * z - 0.75 * y + 0.5 * x + 10 * ch + 2);
  }
}
