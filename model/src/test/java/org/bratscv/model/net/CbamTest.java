package org.bratscv.model.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.DoubleBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CbamTest {
  /** Input gradient of {@code sum(cbam(x) * g)}, as float32. */
  private static NDArray inputGradient(Cbam cbam, NDManager m, NDArray x0, NDArray g) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray x = x0.duplicate();
      x.setRequiresGradient(true);
      NDArray y =
          cbam.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
      gc.backward(y.mul(g).sum());
      return x.getGradient().toType(DataType.FLOAT32, true);
    }
  }

  /**
   * The float32 input gradient matches the same block computed in float64 (no oneDNN there). It did
   * not: the spatial gate's 1-filter 7x7x7 convolution got a garbage input gradient from oneDNN
   * (relative error about 0.4, at times NaN: EquiUnetTest's flaky non-finite gradients).
   */
  @Test
  void inputGradientMatchesFloat64() {
    Random r = new Random(5);
    for (int size : new int[] {16, 8, 4}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Shape in = new Shape(1, 8, size, size, size);
        Cbam c32 = Cbam.builder().setChannels(8).setNorm(Norm.GROUP).build();
        c32.initialize(m, DataType.FLOAT32, in);
        SeededInitializer.apply(c32, 5L);
        Cbam c64 = Cbam.builder().setChannels(8).setNorm(Norm.GROUP).build();
        c64.initialize(m, DataType.FLOAT64, in);
        for (var p : c32.getParameters()) {
          double[] v = p.getValue().getArray().toType(DataType.FLOAT64, true).toDoubleArray();
          c64.getParameters().get(p.getKey()).getArray().set(DoubleBuffer.wrap(v));
        }
        float[] xv = new float[Math.toIntExact(in.size())];
        float[] gv = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
          xv[i] = (float) r.nextGaussian();
          gv[i] = (float) r.nextGaussian();
        }
        NDArray x = m.create(xv, in);
        NDArray g = m.create(gv, in);
        NDArray d32 = inputGradient(c32, m, x, g);
        NDArray d64 =
            inputGradient(
                c64, m, x.toType(DataType.FLOAT64, true), g.toType(DataType.FLOAT64, true));
        assertTrue(d32.isNaN().logicalOr(d32.isInfinite()).none().getBoolean(), "size " + size);
        float e = d32.sub(d64).abs().max().getFloat() / d64.abs().max().getFloat();
        assertTrue(e < 1e-4, "size " + size + ": relative error " + e);
      }
    }
  }

  /**
   * Below 16 channels the reference's channel gate is Linear(C, 0) -> ReLU -> Linear(0, C): its
   * output is the second layer's bias, for the average- and the max-pooled vector alike. With the
   * spatial conv at 0 and the spatial norm's shift at 0, the spatial scale is sigmoid(relu(0)) =
   * 0.5, so the block computes x * sigmoid(2 * shift_c) * 0.5.
   */
  @Test
  void belowSixteenChannelsTheChannelGateIsTheReferencesLoneBias() {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape in = new Shape(2, 8, 4, 4, 4);
      Cbam c = Cbam.builder().setChannels(8).setNorm(Norm.INSTANCE).build();
      c.initialize(m, DataType.FLOAT32, in);
      assertEquals(0, c.hidden());
      // shift (8) + 7x7x7 conv 2 -> 1 (686) + 1-channel norm (2): the reference's count
      assertEquals(8 + 686 + 2, Parameters.count(c));
      SeededInitializer.apply(c, 4L);
      float[] shift = {-1f, -0.5f, 0f, 0.25f, 0.5f, 1f, 2f, -3f};
      for (var p : c.getParameters()) {
        NDArray a = p.getValue().getArray();
        if (p.getKey().equals(Cbam.CHANNEL_SHIFT)) {
          a.set(shift);
        } else if (p.getKey().contains("spatialConv")) {
          a.set(new float[Math.toIntExact(a.size())]);
        }
      }
      Random r = new Random(9);
      float[] xv = new float[Math.toIntExact(in.size())];
      for (int i = 0; i < xv.length; i++) {
        xv[i] = (float) r.nextGaussian();
      }
      float[] y =
          c.forward(new ParameterStore(m, false), new NDList(m.create(xv, in)), false)
              .singletonOrThrow()
              .toFloatArray();
      int perChannel = 4 * 4 * 4;
      for (int i = 0; i < xv.length; i++) {
        int channel = (i / perChannel) % 8;
        double scale = 1 / (1 + Math.exp(-2.0 * shift[channel])) * 0.5;
        assertEquals(xv[i] * scale, y[i], 1e-6, "value " + i);
      }
    }
  }
}
