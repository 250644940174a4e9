package org.bratscv.model.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.bratscv.model.engine.OneDnnConv;
import org.bratscv.model.optim.Autograd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The channels-last layout computes what the plain layout computes: the same network, weights and
 * input give the same outputs (every head) and the same weight gradients in both, up to float
 * rounding; the shapes are off the cube so that a swapped axis shows.
 */
class ChannelsLastTest {
  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager(Device.cpu());
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private record Run(List<float[]> outputs, List<float[]> gradients) {}

  private static Run run(EquiUnet net, NDArray x, boolean channelsLast) {
    try (ChannelsLast.Scope layout = ChannelsLast.forced(channelsLast);
        NDManager step = manager.newSubManager()) {
      for (var p : net.namedParameters()) {
        Autograd.zeroGradient(p.getValue().getArray());
      }
      List<float[]> outs = new ArrayList<>();
      List<float[]> grads = new ArrayList<>();
      try (Autograd g = Autograd.recording()) {
        NDList y = net.forward(new ParameterStore(step, false), new NDList(x), true);
        NDArray loss = null;
        for (int i = 0; i < y.size(); i++) {
          NDArray yi = y.get(i);
          outs.add(yi.toFloatArray());
          // weighted by position, so that a transposed output would change the gradients too
          NDArray w = step.arange((float) yi.size()).reshape(yi.getShape()).div(yi.size());
          NDArray term = yi.mul(w).sum();
          loss = loss == null ? term : loss.add(term);
        }
        Autograd.backward(loss);
      }
      for (var p : net.namedParameters()) {
        grads.add(p.getValue().getArray().getGradient().toFloatArray());
      }
      return new Run(outs, grads);
    }
  }

  private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what);
    double scale = 1e-12;
    double err = 0;
    for (int i = 0; i < expected.length; i++) {
      assertFalse(Float.isNaN(actual[i]), what + ": NaN at " + i);
      scale = Math.max(scale, Math.abs(expected[i]));
      err = Math.max(err, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(err / scale < tolerance, what + ": relative error " + err / scale);
  }

  private static void assertSameInBothLayouts(EquiUnet.Builder b, Shape input, long seed) {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet net = b.build();
      net.initialize(m, seed);
      m.getEngine().setRandomSeed((int) seed);
      NDArray x = m.randomNormal(input);
      Run plain = run(net, x, false);
      Run last = run(net, x, true);
      assertEquals(plain.outputs().size(), last.outputs().size());
      for (int i = 0; i < plain.outputs().size(); i++) {
        assertClose(plain.outputs().get(i), last.outputs().get(i), 1e-4, "output " + i);
      }
      int i = 0;
      for (var p : net.namedParameters()) {
        assertClose(plain.gradients().get(i), last.gradients().get(i++), 1e-3, p.getKey());
      }
    }
  }

  /**
   * The demo's network (width 8, instance norm) at batch 2, where every convolution is oneDNN's.
   */
  @Test
  void instanceNormBatchOfTwo() {
    assertSameInBothLayouts(
        EquiUnet.builder().optWidth(8).optNorm(Norm.INSTANCE), new Shape(2, 4, 24, 16, 32), 11);
  }

  /** Pipeline A's network: group norm (several channels per group), heads and attention. */
  @Test
  void groupNormWithHeadsAndAttention() {
    assertSameInBothLayouts(
        EquiUnet.builder()
            .optWidth(16)
            .optNorm(Norm.GROUP)
            .optDeepSupervision(true)
            .optAttention(true),
        new Shape(2, 4, 16, 24, 8),
        12);
  }

  /** Batch 1 (libtorch's own im2col at this size) and a width off the channel block (padded). */
  @Test
  void batchOfOneAndAWidthOffTheBlock() {
    assertSameInBothLayouts(
        EquiUnet.builder().optWidth(6).optNorm(Norm.GROUP), new Shape(1, 4, 16, 8, 24), 13);
  }

  /** A float16 input keeps its type through a norm in the channels-last layout. */
  @Test
  void normOfAFloat16InputIsFloat16() {
    try (NDManager m = manager.newSubManager();
        ChannelsLast.Scope layout = ChannelsLast.forced(true)) {
      GroupNorm norm = GroupNorm.builder().setChannels(8).optGroups(4).build();
      norm.initialize(m, DataType.FLOAT32, new Shape(2, 8, 4, 6, 8));
      NDArray x = OneDnnConv.channelsLast(m.randomNormal(new Shape(2, 8, 4, 6, 8)));
      NDArray y =
          norm.forward(
                  new ParameterStore(m, false),
                  new NDList(x.toType(DataType.FLOAT16, false)),
                  false)
              .singletonOrThrow();
      assertEquals(DataType.FLOAT16, y.getDataType());
      NDArray expected;
      try (ChannelsLast.Scope plain = ChannelsLast.forced(false)) {
        expected =
            norm.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
      }
      assertClose(
          expected.toFloatArray(), y.toType(DataType.FLOAT32, false).toFloatArray(), 2e-3, "fp16");
    }
  }

  /**
   * Off the CPU the layout is never switched on, whatever is forced, nor for networks wider than
   * {@link ChannelsLast#MAX_WIDTH}; blocks follow a scope only.
   */
  @Test
  void onlyOnTheCpu() {
    try (ChannelsLast.Scope layout = ChannelsLast.forced(true)) {
      assertTrue(ChannelsLast.active(Device.cpu()));
      assertFalse(ChannelsLast.active(Device.gpu()));
      assertTrue(ChannelsLast.on(Device.cpu(), ChannelsLast.MAX_WIDTH));
      assertFalse(ChannelsLast.on(Device.gpu(), ChannelsLast.MAX_WIDTH));
      assertFalse(ChannelsLast.on(Device.cpu(), ChannelsLast.MAX_WIDTH + 1));
    }
    try (ChannelsLast.Scope layout = ChannelsLast.forced(false)) {
      assertFalse(ChannelsLast.active(Device.cpu()));
      assertFalse(ChannelsLast.on(Device.cpu(), 8));
    }
    // outside a scope a block sees the plain layout, whatever the environment says
    assertFalse(ChannelsLast.active(Device.cpu()));
  }
}
