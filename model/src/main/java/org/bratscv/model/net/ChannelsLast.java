package org.bratscv.model.net;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import org.bratscv.model.engine.EngineSettings;
import org.bratscv.model.engine.OneDnnConv;

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
 * it once ({@link org.bratscv.model.engine.OneDnnConv#channelsLast}); the norms and the upsampling
 * keep it (the convolutions, ReLU, pooling and concatenation do by themselves). The values are the
 * same as in the plain layout up to float rounding, and every array read back to Java is made
 * contiguous by DJL first.
 *
 * <p>Only on the CPU, and off with {@code BRATS_CV_CHANNELS_LAST=0} (or the system property {@code
 * brats.channelsLast=false}).
 */
public final class ChannelsLast {
  static final String ENV = "BRATS_CV_CHANNELS_LAST";
  static final String PROPERTY = "brats.channelsLast";

  private static final boolean ON = EngineSettings.switchedOn(ENV, PROPERTY);

  private static final ThreadLocal<Boolean> FORCED = new ThreadLocal<>();

  private static final ThreadLocal<Boolean> FORCED_FIRST_LEVEL = new ThreadLocal<>();

  private ChannelsLast() {}

  /**
   * Whether a block's 5-D input on {@code device} is channels-last: only inside a {@link #forced}
   * scope that says so ({@link EquiUnet} opens one per forward pass with its decision, {@link
   * #on(Device, int)}); a norm or upsampling used on its own sees the plain layout.
   */
  static boolean active(Device device) {
    return Boolean.TRUE.equals(FORCED.get()) && device.getDeviceType().equals(Device.Type.CPU);
  }

  /**
   * The widest EquiUnet that takes the layout. Measured on a 2-core AMD EPYC (family 25 model 1,
   * Zen 3, AVX2): faster at width 8 (training steps 1.2-2x, forward passes 1.1-1.4x) and 16
   * (training 1.16x, forward the same), slower at 32 (96^3 forward on 2 threads 4.1-6.0 s against
   * 3.4-4.5 s, a 64^3 training step 5.9 against 4.4 s): the norms' batch-norm kernel on a (D*H*W,
   * groups, channels per group) view walks a short inner axis, and at 32 channels and up that costs
   * more than the convolutions gain.
   */
  public static final int MAX_WIDTH = 16;

  /**
   * Whether an EquiUnet of {@code width} keeps its activations on {@code device} channels-last: on
   * the CPU, up to {@link #MAX_WIDTH}, unless the environment (or a {@link #forced} scope) turns
   * the layout off.
   */
  public static boolean on(Device device, int width) {
    Boolean forced = FORCED.get();
    return (forced != null ? forced : ON)
        && width <= MAX_WIDTH
        && device.getDeviceType().equals(Device.Type.CPU);
  }

  /**
   * {@link #on(Device, int)} for a forward pass that is ({@code training}) or is not part of a
   * training step: outside a {@link #forced} scope a training step also needs {@code width <=}
   * {@link #maxTrainingWidth} of this process's oneDNN channel block (a scope that compares the
   * layouts gets the one it asks for).
   */
  public static boolean on(Device device, int width, boolean training) {
    return on(device, width)
        && (FORCED.get() != null
            || !training
            || width <= maxTrainingWidth(OneDnnConv.channelBlock()));
  }

  /**
   * The widest EquiUnet whose training steps take the layout where oneDNN's kernels use {@code
   * channelBlock} channels: {@link #MAX_WIDTH} under AVX2 (8), 8 where AVX-512 kernels run (16).
   * With AVX-512 the plain layout's convolutions of 16 channels and more run oneDNN's direct
   * blocked kernels in all three passes, and the {@code nxc} backward passes are slower: on a
   * 2-core AMD EPYC of family 25 model 17 (Zen 4, AVX-512 uncapped) a width-16 64^3 training step
   * took 1135-1139 ms plain against 1224-1292 ms channels-last (forward 383 against 353-367 ms, so
   * inference keeps the layout), while width 8 stays faster channels-last (677-687 against 741-753
   * ms).
   */
  static int maxTrainingWidth(int channelBlock) {
    return channelBlock >= OneDnnConv.CHANNEL_BLOCK ? 8 : MAX_WIDTH;
  }

  /**
   * Whether a training step of an EquiUnet of {@code width} that keeps the plain layout ({@link
   * #on(Device, int, boolean)} is false) still runs its first level channels-last: the
   * full-resolution encoder and decoder blocks and the output convolution, with the level-2 input
   * copied out of the layout after the pooling and the level-2 output copied into it before the
   * upsampling. That is the case on the CPU, with the layout switched on and outside a {@link
   * #forced} scope, for the widths that {@link #maxTrainingWidth} sends to the plain layout up to
   * {@link #MAX_WIDTH}, whose first level has one channel per norm group. There the channels-last
   * convolutions are as fast as the plain ones or faster and need no reorders, while the deeper
   * levels' norms (several channels per group) and the skip concatenations are faster plain. On a
   * 2-core AMD EPYC of family 25 model 17 (Zen 4, AVX-512), one thread, a width-16 64^3 training
   * step took 1,025-1,048 ms against 1,068-1,099 ms all plain. A {@link #forcedFirstLevel} scope
   * decides instead.
   */
  public static boolean firstLevelOn(Device device, int width, boolean training) {
    if (!device.getDeviceType().equals(Device.Type.CPU)) {
      return false;
    }
    Boolean forced = FORCED_FIRST_LEVEL.get();
    if (forced != null) {
      return forced;
    }
    return FORCED.get() == null
        && ON
        && training
        && width <= MAX_WIDTH
        && width > maxTrainingWidth(OneDnnConv.channelBlock());
  }

  /**
   * Sets for this thread, until the returned scope closes, whether a network in the plain layout
   * runs its first level channels-last ({@link #firstLevelOn}), whatever the rule says: the two
   * compared in one process.
   */
  public static Scope forcedFirstLevel(boolean channelsLast) {
    return setUntilClosed(FORCED_FIRST_LEVEL, channelsLast);
  }

  /**
   * Sets the layout for this thread until the returned scope closes, whatever the environment says:
   * the layout of one EquiUnet forward pass, or the two layouts compared in one process.
   */
  public static Scope forced(boolean channelsLast) {
    return setUntilClosed(FORCED, channelsLast);
  }

  private static Scope setUntilClosed(ThreadLocal<Boolean> setting, boolean value) {
    Boolean previous = setting.get();
    setting.set(value);
    return () -> {
      if (previous == null) {
        setting.remove();
      } else {
        setting.set(previous);
      }
    };
  }

  /** A {@link #forced} setting, undone by {@link #close()}. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
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
