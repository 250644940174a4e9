package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * libtorch's oneDNN conv3d gets the input gradient wrong for filter counts that are not a multiple
 * of its channel block (see {@link OneDnnConv}); float64 convolutions never use oneDNN, so they are
 * the reference. Without the padding every call below fails (relative error about 0.3 to 0.5, or
 * NaN).
 */
class OneDnnConvTest {
  private static NDArray normal(NDManager m, Random r, Shape s) {
    float[] v = new float[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return m.create(v, s);
  }

  /** Output and input gradient of {@code sum(conv(x, w) * g)}, as float32. */
  private static NDArray[] run(NDArray x0, NDArray w, NDArray g, int k) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray x = x0.duplicate();
      x.setRequiresGradient(true);
      NDArray y = OneDnnConv.conv3d(x, w, new Shape(k / 2, k / 2, k / 2));
      gc.backward(y.mul(g).sum());
      return new NDArray[] {
        y.toType(DataType.FLOAT32, true), x.getGradient().toType(DataType.FLOAT32, true)
      };
    }
  }

  private static float relativeError(NDArray a, NDArray ref) {
    return a.sub(ref).abs().max().getFloat() / ref.abs().max().getFloat();
  }

  private static void check(int in, int filters, int k, int size, Random r) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = normal(m, r, new Shape(1, in, size, size, size));
      NDArray w = normal(m, r, new Shape(filters, in, k, k, k)).mul(m.create(0.05f));
      NDArray g = normal(m, r, new Shape(1, filters, size, size, size));
      NDArray[] f32 = run(x, w, g, k);
      NDArray[] f64 =
          run(
              x.toType(DataType.FLOAT64, true),
              w.toType(DataType.FLOAT64, true),
              g.toType(DataType.FLOAT64, true),
              k);
      String what = in + "->" + filters + " k" + k + " at " + size + "^3";
      assertEquals(new Shape(1, filters, size, size, size), f32[0].getShape(), what);
      assertTrue(f32[1].isNaN().logicalOr(f32[1].isInfinite()).none().getBoolean(), what);
      assertTrue(relativeError(f32[0], f64[0]) < 1e-4, "output " + what);
      float e = relativeError(f32[1], f64[1]);
      assertTrue(e < 1e-4, "input gradient " + what + ": relative error " + e);
    }
  }

  /** CBAM's spatial gate: 2 -> 1 channels, 7x7x7, at the sizes of a 16^3 network's levels. */
  @Test
  void inputGradientOfAOneFilterConvolutionIsExact() {
    Random r = new Random(11);
    for (int rep = 0; rep < 3; rep++) {
      for (int size : new int[] {16, 8, 4}) {
        check(2, 1, 7, size, r);
      }
    }
  }

  /** 3x3x3 with 12 filters goes to oneDNN once N*C*D*H > 20480 (here 16*48*48). */
  @Test
  void inputGradientIsExactForFilterCountsOffTheBlock() {
    Random r = new Random(12);
    check(16, 12, 3, 48, r);
    check(8, 1, 5, 8, r);
  }

  @Test
  void blockMultiplesAreLeftAlone() {
    Random r = new Random(13);
    check(2, 16, 7, 8, r);
  }
}
