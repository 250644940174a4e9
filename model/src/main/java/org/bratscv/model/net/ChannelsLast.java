package org.bratscv.model.net;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The channels-last layout of EquiUnet's activations on the CPU: an {@code (N, C, D, H, W)} array
 * whose memory is ordered {@code N, D, H, W, C} (libtorch's {@code channels_last_3d}).
 *
 * <p>libtorch 2.7.1 hands a contiguous (channels-first) conv3d's weight gradient to oneDNN in plain
 * layouts, where no direct kernel takes it: oneDNN falls back to im2col and a GEMM ({@code
 * gemm:jit}), and that backward-weights pass took 548 of the 985 ms of convolution in 4 training
 * steps and 4 forward passes of the demo's network (width 8, 2 x 32^3, one thread; {@code
 * ONEDNN_VERBOSE=1}, a 2-core AMD EPYC of family 25). In the channels-last layout the same three
 * passes run in oneDNN's {@code nxc} layouts with no reorders. The network's input is copied into
 * it once; the norms and the upsampling keep it (the convolutions, ReLU, pooling and concatenation
 * do by themselves). The values are the same as in the plain layout up to float rounding, and every
 * array read back to Java is made contiguous by DJL first.
 *
 * <p>Only on the CPU, and off with {@code BRATS_CV_CHANNELS_LAST=0} (or the system property {@code
 * brats.channelsLast=false}).
 */
public final class ChannelsLast {
  static final String ENV = "BRATS_CV_CHANNELS_LAST";
  static final String PROPERTY = "brats.channelsLast";

  private static final boolean ON =
      !"0".equals(System.getenv(ENV))
          && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));

  private static final ThreadLocal<Boolean> FORCED = new ThreadLocal<>();

  private ChannelsLast() {}

  /** Whether 5-D activations on {@code device} are kept channels-last (in this thread). */
  public static boolean on(Device device) {
    Boolean forced = FORCED.get();
    return (forced != null ? forced : ON) && device.getDeviceType().equals(Device.Type.CPU);
  }

  /**
   * The widest EquiUnet that takes the layout. Measured on a 2-core AMD EPYC (family 25): faster at
   * width 8 (training steps 1.2-2x, forward passes 1.1-1.4x) and 16 (training 1.16x, forward the
   * same), slower at 32 (96^3 forward on 2 threads 4.1-6.0 s against 3.4-4.5 s, a 64^3 training
   * step 5.9 against 4.4 s): the norms' batch-norm kernel on a (D*H*W, groups, channels per group)
   * view walks a short inner axis, and at 32 channels and up that costs more than the convolutions
   * gain.
   */
  public static final int MAX_WIDTH = 16;

  /** Whether an EquiUnet of {@code width} keeps its activations on {@code device} channels-last. */
  public static boolean on(Device device, int width) {
    return width <= MAX_WIDTH && on(device);
  }

  /**
   * Sets the layout for this thread until the returned scope closes, whatever the environment says:
   * for comparing the two layouts in one process.
   */
  public static Scope forced(boolean channelsLast) {
    Boolean previous = FORCED.get();
    FORCED.set(channelsLast);
    return () -> {
      if (previous == null) {
        FORCED.remove();
      } else {
        FORCED.set(previous);
      }
    };
  }

  /** A {@link #forced} setting, undone by {@link #close()}. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** {@code x} (N, C, D, H, W), any layout, copied into the channels-last layout. */
  static NDArray of(NDArray x) {
    Shape s = x.getShape();
    return fromNdhwc(
        x.transpose(0, 2, 3, 4, 1)
            .reshape(-1)
            .reshape(s.get(0), s.get(2), s.get(3), s.get(4), s.get(1)));
  }

  /** The (N, D, H, W, C) view of a channels-last (N, C, D, H, W) array (no copy). */
  static NDArray ndhwc(NDArray x) {
    return x.transpose(0, 2, 3, 4, 1);
  }

  /** The (N, C, D, H, W) view of a contiguous (N, D, H, W, C) array: channels-last. */
  static NDArray fromNdhwc(NDArray y) {
    return y.transpose(0, 4, 1, 2, 3);
  }
}
