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
import org.bratscv.model.testing.KinkedGradients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The channels-last layout computes what the plain layout computes: the same network, weights and
 * input give the same outputs (every head) and the same weight gradients in both, up to float
 * rounding (and the kinks of {@link KinkedGradients}); the shapes are off the cube so that a
 * swapped axis shows.
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

  /**
   * One training step's outputs and weight gradients in a layout ({@code firstLevel}: plain but the
   * first level).
   */
  private static Run run(EquiUnet net, NDArray x, boolean channelsLast, boolean firstLevel) {
    try (ChannelsLast.Scope layout = ChannelsLast.forced(channelsLast);
        ChannelsLast.Scope first = ChannelsLast.forcedFirstLevel(firstLevel);
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
    double err = KinkedGradients.relativeError(expected, actual);
    assertTrue(
        err < tolerance, what + ": relative error " + err + " (NaN: a NaN or another length)");
  }

  /**
   * The same network and weights in both layouts on six seeded inputs: outputs within 1e-4 on each,
   * weight gradients within 1e-3 on most ({@link KinkedGradients}: the layouts sum in other orders,
   * so a gradient may flip at a ReLU or max-pool kink on one input).
   */
  private static void assertSameInBothLayouts(EquiUnet.Builder b, Shape input, long seed) {
    assertSameInBothLayouts(b, input, seed, KinkedGradients.GRADIENT_TOLERANCE);
  }

  private static void assertSameInBothLayouts(
      EquiUnet.Builder b, Shape input, long seed, double gradientTolerance) {
    assertAgreesWithPlain(b, input, seed, gradientTolerance, false);
  }

  /**
   * The network against itself in the plain layout on six seeded inputs: in the channels-last
   * layout, or ({@code firstLevel}) in the plain one with its first level channels-last.
   */
  private static void assertAgreesWithPlain(
      EquiUnet.Builder b, Shape input, long seed, double gradientTolerance, boolean firstLevel) {
    try (NDManager m = manager.newSubManager()) {
      EquiUnet net = b.build();
      net.initialize(m, seed);
      KinkedGradients.assertAgree(
          6,
          1e-4,
          gradientTolerance,
          i -> {
            m.getEngine().setRandomSeed((int) (100 * seed + i));
            NDArray x = m.randomNormal(input);
            return new KinkedGradients.Pair(
                result(net, x, false, false), result(net, x, !firstLevel, firstLevel));
          },
          (firstLevel ? "first level channels-last" : "channels-last") + " against plain");
    }
  }

  private static KinkedGradients.Result result(
      EquiUnet net, NDArray x, boolean channelsLast, boolean firstLevel) {
    Run r = run(net, x, channelsLast, firstLevel);
    List<String> names = new ArrayList<>();
    for (var p : net.namedParameters()) {
      names.add(p.getKey());
    }
    return new KinkedGradients.Result(r.outputs(), names, r.gradients());
  }

  /**
   * The demo's network (width 8, instance norm) at batch 2, where every convolution is oneDNN's.
   */
  @Test
  void instanceNormBatchOfTwo() {
    assertSameInBothLayouts(
        EquiUnet.builder().optWidth(8).optNorm(Norm.INSTANCE), new Shape(2, 4, 8, 16, 16), 11);
  }

  /**
   * Pipeline A's network: group norm (several channels per group), heads and attention. CBAM's max
   * over channels and its 7x7x7 gate put many more kinks in the gradients: over 10 random inputs of
   * this shape even the plain layout's float32 gradients differed from float64's by 5e-5 to 2.7e-3
   * on 8, and by 4e-2 and 2.0 on the other two, so the gradients are held to 1e-2.
   */
  @Test
  void groupNormWithHeadsAndAttention() {
    assertSameInBothLayouts(pipelineANetwork(), new Shape(2, 4, 16, 16, 8), 12, 1e-2);
  }

  /** Pipeline A's network at width 16: group norm, heads and attention. */
  private static EquiUnet.Builder pipelineANetwork() {
    return EquiUnet.builder()
        .optWidth(16)
        .optNorm(Norm.GROUP)
        .optDeepSupervision(true)
        .optAttention(true);
  }

  /** Batch 1 (libtorch's own im2col at this size) and a width off the channel block (padded). */
  @Test
  void batchOfOneAndAWidthOffTheBlock() {
    assertSameInBothLayouts(
        EquiUnet.builder().optWidth(6).optNorm(Norm.GROUP), new Shape(1, 4, 8, 8, 16), 13);
  }

  /**
   * A plain training step whose first level runs channels-last ({@link ChannelsLast#firstLevelOn})
   * computes what the plain one computes: width 16 with group norm, heads and attention at batch 2,
   * and width 12 (off the block) with instance norm at batch 1 (on an input large enough that the
   * deepest instance norms see more than a few voxels: over 2 voxels a norm amplifies rounding).
   */
  @Test
  void aFirstLevelChannelsLastComputesWhatThePlainLayoutComputes() {
    // gradients held to 1e-2 for attention's kinks, as in groupNormWithHeadsAndAttention
    assertAgreesWithPlain(pipelineANetwork(), new Shape(2, 4, 16, 16, 8), 14, 1e-2, true);
    assertAgreesWithPlain(
        EquiUnet.builder().optWidth(12).optNorm(Norm.INSTANCE),
        new Shape(1, 4, 16, 16, 32),
        15,
        KinkedGradients.GRADIENT_TOLERANCE,
        true);
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

  /**
   * Training steps take the layout up to width 16 under AVX2's 8-channel block and up to 8 where
   * AVX-512's 16-channel kernels run; forward passes outside training up to {@link
   * ChannelsLast#MAX_WIDTH} either way; a scope that compares the layouts gets what it forces.
   */
  @Test
  void trainingStepsTakeTheLayoutUpToTheWidthTheirIsaGains() {
    assertEquals(16, ChannelsLast.maxTrainingWidth(OneDnnConv.AVX2_CHANNEL_BLOCK));
    assertEquals(8, ChannelsLast.maxTrainingWidth(OneDnnConv.CHANNEL_BLOCK));
    int widest = ChannelsLast.maxTrainingWidth(OneDnnConv.channelBlock());
    for (int width : new int[] {8, 16, 32}) {
      assertEquals(
          ChannelsLast.on(Device.cpu(), width), ChannelsLast.on(Device.cpu(), width, false));
      assertEquals(
          ChannelsLast.on(Device.cpu(), width) && width <= widest,
          ChannelsLast.on(Device.cpu(), width, true),
          "width " + width);
    }
    try (ChannelsLast.Scope layout = ChannelsLast.forced(true)) {
      assertTrue(ChannelsLast.on(Device.cpu(), 8, true));
      assertTrue(ChannelsLast.on(Device.cpu(), 16, true));
      assertTrue(ChannelsLast.on(Device.cpu(), 16, false));
      assertFalse(ChannelsLast.on(Device.cpu(), 32, false));
      assertFalse(ChannelsLast.on(Device.gpu(), 8, true));
    }
    try (ChannelsLast.Scope layout = ChannelsLast.forced(false)) {
      assertFalse(ChannelsLast.on(Device.cpu(), 8, true));
      assertFalse(ChannelsLast.on(Device.cpu(), 8, false));
      assertFalse(ChannelsLast.firstLevelOn(Device.cpu(), 16, true), "a forced scope decides");
    }
  }

  /**
   * Outside a scope, a training step keeps its first level channels-last exactly where the AVX-512
   * rule sends the rest of it to the plain layout; a forward pass outside training never does; a
   * {@link ChannelsLast#forcedFirstLevel} scope decides on the CPU only.
   */
  @Test
  void theFirstLevelStaysChannelsLastWhereTrainingGoesPlain() {
    for (int width : new int[] {8, 16, 32}) {
      assertEquals(
          ChannelsLast.on(Device.cpu(), width) && !ChannelsLast.on(Device.cpu(), width, true),
          ChannelsLast.firstLevelOn(Device.cpu(), width, true),
          "width " + width);
      assertFalse(ChannelsLast.firstLevelOn(Device.cpu(), width, false), "width " + width);
    }
    try (ChannelsLast.Scope first = ChannelsLast.forcedFirstLevel(true)) {
      assertTrue(ChannelsLast.firstLevelOn(Device.cpu(), 32, false));
      assertFalse(ChannelsLast.firstLevelOn(Device.gpu(), 16, true));
    }
  }
}
