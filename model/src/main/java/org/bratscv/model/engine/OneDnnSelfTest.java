package org.bratscv.model.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.training.GradientCollector;
import java.util.Optional;

/**
 * Runs the float32 conv3d shapes that libtorch 2.7.1's oneDNN gets wrong with AVX-512 kernels and
 * checks them against float64 (which libtorch computes without oneDNN). Measured on an AMD EPYC
 * (family 26, AVX-512) without a cap: the forward output is wrong (relative error 0.3-0.5, often
 * NaN) whenever the <em>input</em> channels are not a multiple of 16 (24, 40) and the input
 * gradient whenever the <em>output</em> channels are not (3, 8, 24), on every call, one thread or
 * two, once the convolution goes to oneDNN ({@code N*C*D*H > 20480}); with {@code
 * ONEDNN_MAX_CPU_ISA=AVX2} the same shapes are right except input gradients of filter counts that
 * are not a multiple of 8, which {@link OneDnnConv} pads. Two 24-channel convolutions at 32^3 cover
 * both directions; each runs in the plain layout and in the channels-last one that EquiUnet's
 * activations take on the CPU ({@code ChannelsLast}: other oneDNN kernels, {@code nxc}), and the
 * weight gradient is checked too.
 *
 * <p>{@link #main} is the start-up probe of {@link CpuIsaGuard}: run in a JVM without the cap, exit
 * status 0 means these kernels are right on this CPU, {@value #WRONG} that they are not.
 */
public final class OneDnnSelfTest {
  /** Exit status of {@link #main} when a kernel is wrong. */
  public static final int WRONG = 3;

  static final long CHANNELS = 24;
  static final long EDGE = 32;
  static final double TOLERANCE = 1e-3;

  /**
   * Changes when the probes change, so that a verdict cached for the old probes ({@link
   * CpuIsaGuard#cacheFile}) is not reused: 2 added the channels-last layout and weight gradients.
   */
  static final int PROBES = 2;

  private OneDnnSelfTest() {}

  /**
   * A description of the first wrong result (direction, shape, relative error), or empty when the
   * forward output and input gradient of both probe convolutions match float64.
   */
  public static Optional<String> wrongKernel(NDManager parent) {
    Engine engine = Engine.getEngine(TorchEngine.ENGINE_NAME);
    engine.setRandomSeed(7);
    Shape one = new Shape(1, 1, 1);
    // 24 -> 16 filters: forward with 24 input channels; 16 -> 24: input gradient of 24 filters.
    long[][] probes = {{CHANNELS, 16}, {16, CHANNELS}};
    for (boolean channelsLast : new boolean[] {false, true}) {
      for (long[] p : probes) {
        try (NDManager m = parent.newSubManager()) {
          NDArray x = m.randomNormal(new Shape(1, p[0], EDGE, EDGE, EDGE));
          NDArray w = m.randomNormal(new Shape(p[1], p[0], 3, 3, 3)).div(Math.sqrt(p[0] * 27.0));
          NDArray x64 = x.toType(DataType.FLOAT64, true);
          NDArray w64 = w.toType(DataType.FLOAT64, true);
          if (channelsLast) {
            x = OneDnnConv.channelsLast(x);
          }
          x.setRequiresGradient(true);
          x64.setRequiresGradient(true);
          w.setRequiresGradient(true);
          w64.setRequiresGradient(true);
          NDArray y;
          NDArray y64;
          try (GradientCollector gc = engine.newGradientCollector()) {
            y = Conv3d.conv3d(x, w, null, one, one, one, 1).singletonOrThrow();
            gc.backward(y.square().sum());
            y64 = Conv3d.conv3d(x64, w64, null, one, one, one, 1).singletonOrThrow();
            gc.backward(y64.square().sum());
          }
          String shape =
              p[0]
                  + " -> "
                  + p[1]
                  + " channels at "
                  + EDGE
                  + "^3"
                  + (channelsLast ? ", channels-last" : "");
          double fwd = relativeError(y, y64);
          if (!(fwd <= TOLERANCE)) {
            return Optional.of("conv3d forward, " + shape + ": relative error " + fwd);
          }
          double dx = relativeError(x.getGradient(), x64.getGradient());
          if (!(dx <= TOLERANCE)) {
            return Optional.of("conv3d input gradient, " + shape + ": relative error " + dx);
          }
          double dw = relativeError(w.getGradient(), w64.getGradient());
          if (!(dw <= TOLERANCE)) {
            return Optional.of("conv3d weight gradient, " + shape + ": relative error " + dw);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** max |a - b| / max |b|; NaN when {@code a} holds a NaN or infinity. */
  static double relativeError(NDArray a, NDArray reference) {
    NDArray diff = a.toType(DataType.FLOAT64, true).sub(reference).abs();
    double scale = reference.abs().max().getDouble();
    if (diff.isInfinite().logicalOr(diff.isNaN()).any().getBoolean()) {
      return Double.NaN;
    }
    return diff.max().getDouble() / scale;
  }

  /**
   * Exit 0 when the probe convolutions are right in this JVM's environment, else {@link #WRONG}.
   */
  public static void main(String[] args) {
    TorchEngine.load(EngineSettings.defaults().withThreads(1, 1));
    Optional<String> wrong;
    try (NDManager m = NDManager.newBaseManager()) {
      wrong = wrongKernel(m);
    }
    wrong.ifPresent(w -> System.err.println("oneDNN self-test: " + w));
    System.exit(wrong.isPresent() ? WRONG : 0);
  }
}
