package org.bratscv.model.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BinaryOperator;
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

  /** Output, input gradient and weight gradient of {@code sum(conv(x, w) * g)}, as float32. */
  private static NDArray[] run(NDArray x0, NDArray w0, NDArray g, BinaryOperator<NDArray> conv) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray x = x0.duplicate();
      x.setRequiresGradient(true);
      NDArray w = w0.duplicate();
      w.setRequiresGradient(true);
      NDArray y = conv.apply(x, w);
      gc.backward(y.mul(g).sum());
      return new NDArray[] {
        y.toType(DataType.FLOAT32, true),
        x.getGradient().toType(DataType.FLOAT32, true),
        w.getGradient().toType(DataType.FLOAT32, true)
      };
    }
  }

  private static float relativeError(NDArray a, NDArray ref) {
    return a.sub(ref).abs().max().getFloat() / ref.abs().max().getFloat();
  }

  /**
   * {@code conv} of x (n, in, size^3) with filters x in x k^3 weights in float32 against float64:
   * shape, no NaN or infinity, output, input gradient and weight gradient within 1e-4 of the
   * largest value.
   */
  private static void compare(
      int n, int in, int filters, int k, Shape size, Random r, BinaryOperator<NDArray> conv) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = normal(m, r, new Shape(n, in).addAll(size));
      NDArray w = normal(m, r, new Shape(filters, in, k, k, k)).mul(m.create(0.05f));
      NDArray g = normal(m, r, new Shape(n, filters).addAll(size));
      NDArray[] f32 = run(x, w, g, conv);
      NDArray[] f64 =
          run(
              x.toType(DataType.FLOAT64, true),
              w.toType(DataType.FLOAT64, true),
              g.toType(DataType.FLOAT64, true),
              conv);
      String what = "n" + n + " " + in + "->" + filters + " k" + k + " at " + size;
      assertEquals(new Shape(n, filters).addAll(size), f32[0].getShape(), what);
      for (NDArray a : f32) {
        assertTrue(a.isNaN().logicalOr(a.isInfinite()).none().getBoolean(), what);
      }
      float eo = relativeError(f32[0], f64[0]);
      assertTrue(eo < 1e-4, "output " + what + ": relative error " + eo);
      float eg = relativeError(f32[1], f64[1]);
      assertTrue(eg < 1e-4, "input gradient " + what + ": relative error " + eg);
      float ew = relativeError(f32[2], f64[2]);
      assertTrue(ew < 1e-4, "weight gradient " + what + ": relative error " + ew);
    }
  }

  /** The CBAM form: padding k / 2, filters padded to 16. */
  private static void check(int in, int filters, int k, int size, Random r) {
    Shape pad = new Shape(k / 2, k / 2, k / 2);
    compare(
        1, in, filters, k, new Shape(size, size, size), r, (x, w) -> OneDnnConv.conv3d(x, w, pad));
  }

  /** The channels-last copy holds the same values in the same shape (only the memory changes). */
  @Test
  void theChannelsLastCopyHoldsTheSameValues() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.arange(2f * 3 * 4 * 5 * 6).reshape(2, 3, 4, 5, 6);
      NDArray cl = OneDnnConv.channelsLast(x);
      assertEquals(x.getShape(), cl.getShape());
      org.junit.jupiter.api.Assertions.assertArrayEquals(x.toFloatArray(), cl.toFloatArray());
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

  /** The ConvNormRelu form, 3x3x3 with padding = dilation, on oneDNN's route when padded. */
  private static void checkRoute(int n, int in, int filters, Shape size, int dilation, Random r) {
    Shape d = new Shape(dilation, dilation, dilation);
    compare(n, in, filters, 3, size, r, (x, w) -> OneDnnConv.conv3d(x, w, d, d));
  }

  /**
   * The shapes of width-6 and width-4 networks at batch 2 (oneDNN's route). Unpadded, on the AMD
   * EPYC under the AVX2 cap, 12 -> 6 and 10 -> 8 gave NaN or 0.2-0.3 wrong outputs, and 6 -> 6, 6
   * -> 12 and 16 -> 6 wrong input gradients.
   */
  @Test
  void offBlockChannelsAreExactOnOneDnnsRoute() {
    Random r = new Random(14);
    int[][] shapes = {{12, 6}, {6, 6}, {6, 12}, {16, 6}, {10, 8}, {4, 6}, {8, 4}, {24, 12}};
    for (int[] s : shapes) {
      checkRoute(2, s[0], s[1], new Shape(12, 12, 12), 1, r);
    }
    checkRoute(2, 12, 6, new Shape(12, 12, 12), 2, r);
  }

  /**
   * Just below the im2col bound at batch 1 ({@code 12*39*42 = 19656}), at an odd depth that {@link
   * OneDnnConv#inTwoSlabs} does not split, the convolution is left alone: exact only as long as
   * libtorch's route rule is the one {@link OneDnnConv#mayUseOneDnn} assumes.
   */
  @Test
  void belowTheBoundAnOddDepthIsLeftToIm2colAndExact() {
    Shape size = new Shape(39, 42, 8);
    Shape one = new Shape(1, 1, 1);
    assertFalse(OneDnnConv.mayUseOneDnn(new Shape(1, 12).addAll(size), new Shape(3, 3, 3)));
    assertFalse(
        OneDnnConv.splitsIntoSlabs(
            new Shape(1, 12).addAll(size), DataType.FLOAT32, new Shape(3, 3, 3), one, one));
    checkRoute(1, 12, 6, size, 1, new Random(15));
  }

  /**
   * A batch-1 convolution below the bound, which libtorch would run through its own im2col, runs as
   * two depth slabs with halos in one batch (oneDNN's route) and equals the whole: dilations 1 and
   * 2, the smallest depth each takes, channels on and off the block, plain and channels-last.
   */
  @Test
  void batchOneInTwoDepthSlabsIsExact() {
    Shape k3 = new Shape(3, 3, 3);
    Shape d1 = new Shape(1, 1, 1);
    Shape d2 = new Shape(2, 2, 2);
    DataType f32 = DataType.FLOAT32;
    assertTrue(OneDnnConv.splitsIntoSlabs(new Shape(1, 8, 4, 8, 8), f32, k3, d1, d1));
    assertTrue(OneDnnConv.splitsIntoSlabs(new Shape(1, 8, 8, 8, 8), f32, k3, d2, d2));
    assertFalse(OneDnnConv.splitsIntoSlabs(new Shape(1, 8, 6, 8, 8), f32, k3, d2, d2), "depth 6");
    assertFalse(OneDnnConv.splitsIntoSlabs(new Shape(1, 8, 2, 8, 8), f32, k3, d1, d1), "depth 2");
    assertFalse(OneDnnConv.splitsIntoSlabs(new Shape(1, 8, 7, 8, 8), f32, k3, d1, d1), "odd");
    assertFalse(OneDnnConv.splitsIntoSlabs(new Shape(2, 8, 8, 8, 8), f32, k3, d1, d1), "batch 2");
    assertFalse(
        OneDnnConv.splitsIntoSlabs(new Shape(1, 8, 8, 8, 8), DataType.FLOAT64, k3, d1, d1), "f64");
    assertFalse(
        OneDnnConv.splitsIntoSlabs(new Shape(1, 8, 8, 8, 8), f32, new Shape(1, 1, 1), d1, d1),
        "1x1x1");
    Random r = new Random(16);
    checkRoute(1, 8, 8, new Shape(4, 12, 6), 1, r);
    checkRoute(1, 8, 16, new Shape(16, 8, 8), 1, r);
    checkRoute(1, 16, 16, new Shape(8, 8, 6), 2, r);
    checkRoute(1, 32, 32, new Shape(12, 10, 8), 2, r);
    checkRoute(1, 12, 6, new Shape(10, 8, 6), 1, r);
    checkRoute(1, 4, 8, new Shape(8, 8, 8), 1, r);
    compare(
        1,
        16,
        8,
        3,
        new Shape(8, 6, 10),
        r,
        (x, w) -> OneDnnConv.conv3d(OneDnnConv.channelsLast(x), w, d1, d1));
    compare(
        1,
        6,
        12,
        3,
        new Shape(8, 8, 8),
        r,
        (x, w) -> OneDnnConv.conv3d(OneDnnConv.channelsLast(x), w, d2, d2));
  }

  /**
   * Channels-last convolutions of every filter count an EquiUnet of width up to 16 can have (8 to
   * 128 after the block), at batch 1 (in depth slabs) and 2, at the small sizes of its deepest
   * levels. On an AMD EPYC of family 26 under the AVX2 cap, 40, 48, 72, 80, 104 and 112 filters
   * gave outputs 0.2-0.5 off without {@link OneDnnConv#channelsLastFilters}.
   */
  @Test
  void channelsLastIsExactForEveryFilterCountUpTo128() {
    Random r = new Random(17);
    Shape d1 = new Shape(1, 1, 1);
    for (Shape size : new Shape[] {new Shape(2, 2, 2), new Shape(4, 4, 3), new Shape(8, 8, 6)}) {
      for (int n = 1; n <= 2; n++) {
        for (int filters = 8; filters <= 128; filters += 8) {
          compare(
              n,
              filters == 48 ? 24 : 8,
              filters,
              3,
              size,
              r,
              (x, w) -> OneDnnConv.conv3d(OneDnnConv.channelsLast(x), w, d1, d1, true));
        }
      }
    }
  }

  @Test
  void channelsLastPadsOnlyTheFilterCountsOneDnnGotWrong() {
    for (long f : new long[] {8, 16, 24, 32, 56, 64, 88, 96, 120, 128, 160}) {
      assertEquals(f, OneDnnConv.channelsLastFilters(f), f + " filters");
    }
    assertEquals(64, OneDnnConv.channelsLastFilters(40));
    assertEquals(64, OneDnnConv.channelsLastFilters(48));
    assertEquals(96, OneDnnConv.channelsLastFilters(72));
    assertEquals(96, OneDnnConv.channelsLastFilters(80));
    assertEquals(128, OneDnnConv.channelsLastFilters(104));
    assertEquals(128, OneDnnConv.channelsLastFilters(112));
  }

  @Test
  void theRouteRuleIsLibtorchs() {
    Shape k3 = new Shape(3, 3, 3);
    assertTrue(OneDnnConv.mayUseOneDnn(new Shape(2, 4, 8, 8, 8), k3), "batch 2");
    assertFalse(OneDnnConv.mayUseOneDnn(new Shape(1, 20, 32, 32, 8), k3), "20480");
    assertTrue(OneDnnConv.mayUseOneDnn(new Shape(1, 20, 32, 33, 8), k3), "21120");
    assertTrue(OneDnnConv.mayUseOneDnn(new Shape(1, 2, 4, 4, 4), new Shape(7, 7, 7)), "7x7x7");
  }

  @Test
  void theChannelBlockFollowsTheCpuAndTheCap() {
    Set<String> avx2 = Set.of("avx2", "fma");
    Set<String> avx512 = Set.of("avx2", "avx512f", "avx512bw");
    assertEquals(8, OneDnnConv.channelBlock(Map.of(), avx2));
    assertEquals(8, OneDnnConv.channelBlock(Map.of(CpuIsaGuard.ENV, "AVX512_CORE"), avx2));
    assertEquals(16, OneDnnConv.channelBlock(Map.of(), avx512));
    assertEquals(16, OneDnnConv.channelBlock(Map.of(CpuIsaGuard.ENV, " "), avx512));
    assertEquals(8, OneDnnConv.channelBlock(Map.of(CpuIsaGuard.ENV, "AVX2"), avx512));
    assertEquals(8, OneDnnConv.channelBlock(Map.of(CpuIsaGuard.LEGACY_ENV, "sse41"), avx512));
    assertEquals(16, OneDnnConv.channelBlock(Map.of(CpuIsaGuard.ENV, "avx512_core"), avx512));
    assertEquals(16, OneDnnConv.channelBlock(Map.of(CpuIsaGuard.ENV, "ALL"), avx512));
  }
}
