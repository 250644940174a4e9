package org.bratscv.model.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv3d;
import java.util.Map;
import java.util.Set;

/**
 * A 3-D convolution that is right on the CPU for any number of input and output channels.
 *
 * <p>libtorch 2.7.1's oneDNN (v3.7.1) float32 conv3d is wrong for channel counts off its kernels'
 * channel block (8 for the {@code jit:avx2} kernels, 16 for AVX-512), on every call, with one
 * thread or several. Measured on a 2-core AMD EPYC (family 26) under {@code
 * ONEDNN_MAX_CPU_ISA=AVX2} against float64 (which libtorch computes without oneDNN), batch 2,
 * 3x3x3: the <em>input gradient</em> is wrong (relative error 0.2 to 0.4) whenever the filter count
 * is not a multiple of 8 (6, 12; the 3-filter 1x1x1 heads were exact), and the <em>forward
 * output</em> is wrong (0.16 to 0.29, or NaN) whenever the input channels are above 8 and not a
 * multiple of it (10, 12, 20); 4 -> 6, 6 -> 8, 16 -> 8, 24 -> 8 and 48 -> 24 are exact. Without the
 * cap the AVX-512 kernels fail the same way for counts off 16 ({@link OneDnnSelfTest}); CBAM's 2 ->
 * 1-channel 7x7x7 gate was wrong under every cap. So an EquiUnet whose width is not a multiple of 8
 * (the demo's 6, for one) computed NaN as soon as its decoder's 12-channel convolutions went to
 * oneDNN: a batch of TTA copies, or a crop above the size below.
 *
 * <p>libtorch sends a float32 CPU convolution to oneDNN when the batch is above 1, when the kernel
 * is wider than 3 in its last two axes, or when {@code N*C*D*H > 20480}; else to its own im2col
 * path, which is right for any count ({@link #mayUseOneDnn}). On that route this class pads the
 * input channels above the block (with zero channels, and zero weight slices) and the filters (with
 * zero filters, whose outputs it drops) up to a multiple of {@link #channelBlock}: the padded
 * convolution computes the same sums, the extra outputs get no gradient, and the results are exact.
 * Channel counts on the block (every width that is a multiple of 8 under the cap) are passed
 * through untouched, as is every convolution off the CPU.
 *
 * <p>libtorch's own im2col path is slow: on a 2-core AMD EPYC of family 25 (Zen 3), one thread, an
 * EquiUnet of width 8 took as long for a 64^3 forward pass of one sample (346-354 ms, its deeper
 * levels below the bound) as of two (324-342 ms, all on oneDNN). So a batch-1 convolution of {@code
 * ConvNormRelu}'s form below the bound runs as a batch of two depth slabs, each half of the depth
 * plus a halo of its neighbour's rows ({@link #inTwoSlabs}), which libtorch sends to oneDNN; the
 * cropped halves joined are the sample's result. {@code BRATS_CV_CONV_SLABS=0} turns it off.
 *
 * <p>In the channels-last layout ({@code nxc} kernels) oneDNN under the AVX2 cap on an AMD EPYC of
 * family 26 (Zen 5) gets the <em>forward output</em> wrong (relative error 0.2 to 0.5) for filter
 * counts above 32 that leave 8 or 16 over a multiple of 32 (40, 48, 72, 80, 104, 112 of those up to
 * 128; 8 to 32, 56, 64, 88, 96, 120 and 128 were exact), at most spatial sizes, batch 1 to 3,
 * whatever the input channels; the gradients were exact, and the same shapes were exact on a Zen 3.
 * So a channels-last convolution on oneDNN's route pads such filter counts up to the next multiple
 * of 32 ({@link #channelsLastFilters}); widths 8 and 16 never have one, widths 5, 6, 10, 12 do
 * (their 40- and 48-filter convolutions).
 */
public final class OneDnnConv {
  /** oneDNN's widest float32 channel block (AVX-512); a multiple of AVX2's 8. */
  public static final int CHANNEL_BLOCK = 16;

  /** The channel block of oneDNN's AVX2 kernels (and of every cap below AVX-512). */
  public static final int AVX2_CHANNEL_BLOCK = 8;

  /** libtorch 2.7.1's bound on {@code N*C*D*H} below which a batch-1 conv skips oneDNN. */
  static final long IM2COL_LIMIT = 20480;

  private static final int BLOCK = channelBlock(System.getenv(), CpuIsaGuard.cpuFlags());

  /** Set to {@code 0} to leave batch-1 convolutions below the bound to libtorch's im2col. */
  static final String SLABS_ENV = "BRATS_CV_CONV_SLABS";

  private static final boolean SLABS = EngineSettings.switchedOn(SLABS_ENV, "brats.convSlabs");

  private OneDnnConv() {}

  /**
   * The channel block that oneDNN's kernels use in a process with {@code env} on a CPU with {@code
   * cpuFlags}: {@value #CHANNEL_BLOCK} where AVX-512 kernels may run (the CPU has AVX-512 and no
   * cap, or a cap that still allows AVX-512), else {@value #AVX2_CHANNEL_BLOCK}.
   */
  public static int channelBlock(Map<String, String> env, Set<String> cpuFlags) {
    if (!CpuIsaGuard.hasAvx512(cpuFlags)) {
      return AVX2_CHANNEL_BLOCK;
    }
    return CpuIsaGuard.cap(env)
            .map(c -> c.contains("AVX512") || c.equals("ALL") || c.equals("DEFAULT"))
            .orElse(true)
        ? CHANNEL_BLOCK
        : AVX2_CHANNEL_BLOCK;
  }

  /** This process's channel block ({@link #channelBlock(Map, Set)} of its environment and CPU). */
  public static int channelBlock() {
    return BLOCK;
  }

  /**
   * Whether libtorch 2.7.1 may send a CPU convolution of an input of {@code inputShape} (N, C, D,
   * H, W) with a kernel of {@code kernel} (kD, kH, kW) to oneDNN: batch above 1, a kernel wider
   * than 3 in H and W, or {@code N*C*D*H} above {@value #IM2COL_LIMIT}. (For 1x1x1 kernels libtorch
   * also needs several threads; this answer is then on the safe side.)
   */
  public static boolean mayUseOneDnn(Shape inputShape, Shape kernel) {
    long n = inputShape.get(0);
    boolean wideKernel = kernel.get(1) > 3 && kernel.get(2) > 3;
    return n > 1
        || wideKernel
        || n * inputShape.get(1) * inputShape.get(2) * inputShape.get(3) > IM2COL_LIMIT;
  }

  /**
   * {@code conv3d(x, weight)} without bias, stride 1, dilation 1, with the given padding; the
   * filters are padded to a multiple of {@link #CHANNEL_BLOCK} inside when needed, the input
   * channels are not (CBAM's gate: a 1-filter convolution of 2 channels, wrong under every cap
   * without the padding and exact with it).
   */
  public static NDArray conv3d(NDArray x, NDArray weight, Shape padding) {
    Shape one = new Shape(1, 1, 1);
    return padded(x, weight, padding, one, CHANNEL_BLOCK, 1, false);
  }

  /**
   * {@code conv3d(x, weight)} without bias, stride 1, with the given padding and dilation; on the
   * CPU, when the call may go to oneDNN ({@link #mayUseOneDnn}), input channels and filters off
   * this process's {@link #channelBlock()} are padded inside.
   */
  public static NDArray conv3d(NDArray x, NDArray weight, Shape padding, Shape dilation) {
    return conv3d(x, weight, padding, dilation, false);
  }

  /**
   * As {@link #conv3d(NDArray, NDArray, Shape, Shape)}; {@code channelsLast} says that {@code x} is
   * in the channels-last layout ({@link #channelsLast}), whose filter counts that oneDNN gets wrong
   * are padded too ({@link #channelsLastFilters}).
   */
  public static NDArray conv3d(
      NDArray x, NDArray weight, Shape padding, Shape dilation, boolean channelsLast) {
    Shape ws = weight.getShape();
    Shape kernel = new Shape(ws.get(2), ws.get(3), ws.get(4));
    if (x.getDevice().getDeviceType().equals(Device.Type.CPU)) {
      if (mayUseOneDnn(x.getShape(), kernel)) {
        return padded(x, weight, padding, dilation, BLOCK, BLOCK, channelsLast);
      }
      if (SLABS && splitsIntoSlabs(x.getShape(), x.getDataType(), kernel, padding, dilation)) {
        return inTwoSlabs(x, weight, padding, dilation, channelsLast);
      }
    }
    return Conv3d.conv3d(x, weight, null, new Shape(1, 1, 1), padding, dilation, 1)
        .singletonOrThrow();
  }

  /**
   * Whether a batch-1 convolution that libtorch would run through its own im2col is split into two
   * depth slabs ({@link #inTwoSlabs}): float32, one sample, an even depth of at least 4 halos, a
   * kernel of 3 in depth with padding equal to its dilation (the size-keeping convolutions of
   * {@code ConvNormRelu}).
   */
  static boolean splitsIntoSlabs(
      Shape in, DataType type, Shape kernel, Shape padding, Shape dilation) {
    long depth = in.get(2);
    long halo = dilation.get(0);
    return type == DataType.FLOAT32
        && in.get(0) == 1
        && kernel.get(0) == 3
        && padding.get(0) == halo
        && depth % 2 == 0
        && depth >= 4 * halo;
  }

  /**
   * The same convolution of one sample as a batch of two depth slabs, each half of the depth with
   * {@code halo} (the dilation) rows of its neighbour: libtorch sends a batch to oneDNN, and the
   * slabs' outputs, cropped to their halves and joined, are the sample's.
   */
  static NDArray inTwoSlabs(
      NDArray x, NDArray weight, Shape padding, Shape dilation, boolean channelsLast) {
    long depth = x.getShape().get(2);
    long half = depth / 2;
    long halo = dilation.get(0);
    NDArray pair =
        x.get(":, :, :" + (half + halo)).concat(x.get(":, :, " + (half - halo) + ":"), 0);
    NDArray y = padded(pair, weight, padding, dilation, BLOCK, BLOCK, channelsLast);
    return y.get("0:1, :, :" + half).concat(y.get("1:2, :, " + halo + ":"), 2);
  }

  /**
   * The filter count a channels-last convolution of {@code filters} (already a multiple of the
   * channel block) runs with: the next multiple of 32 where the remainder is 8 or 16 above 32 (the
   * counts oneDNN's {@code nxc} kernels got wrong), else {@code filters}.
   */
  static long channelsLastFilters(long filters) {
    long over = filters % 32;
    return filters > 32 && (over == 8 || over == 16) ? roundUp(filters, 32) : filters;
  }

  private static NDArray padded(
      NDArray x,
      NDArray weight,
      Shape padding,
      Shape dilation,
      int filterBlock,
      int channelBlock,
      boolean channelsLast) {
    Shape ws = weight.getShape();
    long filters = ws.get(0);
    long channels = ws.get(1);
    long filtersPadded = roundUp(filters, filterBlock);
    if (channelsLast) {
      filtersPadded = channelsLastFilters(filtersPadded);
    }
    // Fewer input channels than the block take oneDNN's plain-layout first-layer kernels, which
    // were exact (4 -> 6, 6 -> 8, 6 -> 12 above); padding them would only cost a copy of the input.
    long channelsPadded = channels < channelBlock ? channels : roundUp(channels, channelBlock);
    NDArray in = x;
    NDArray w = weight;
    if (channelsPadded != channels) {
      long[] xs = x.getShape().getShape().clone();
      xs[1] = channelsPadded - channels;
      in = x.concat(x.getManager().zeros(new Shape(xs), x.getDataType(), x.getDevice()), 1);
      long[] extra = ws.getShape().clone();
      extra[1] = channelsPadded - channels;
      w = w.concat(x.getManager().zeros(new Shape(extra), w.getDataType(), x.getDevice()), 1);
    }
    if (filtersPadded != filters) {
      long[] extra = w.getShape().getShape().clone();
      extra[0] = filtersPadded - filters;
      NDArray zeros = x.getManager().zeros(new Shape(extra), w.getDataType(), x.getDevice());
      w = NDArrays.concat(new NDList(w, zeros), 0);
    }
    if (w != weight) {
      // The concat lands in the weight's (model's) manager; keep it with the input's.
      w.attach(x.getManager());
    }
    Shape one = new Shape(1, 1, 1);
    NDArray y = Conv3d.conv3d(in, w, null, one, padding, dilation, 1).singletonOrThrow();
    return filtersPadded == filters ? y : y.get(":, :" + filters);
  }

  /**
   * {@code x} (N, C, D, H, W), any layout, copied into libtorch's {@code channels_last_3d} layout
   * (memory ordered N, D, H, W, C), whose convolutions take oneDNN's {@code nxc} kernels; the
   * values and shape stay as they are.
   */
  public static NDArray channelsLast(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 3, 4, 1)
        .reshape(-1)
        .reshape(s.get(0), s.get(2), s.get(3), s.get(4), s.get(1))
        .transpose(0, 4, 1, 2, 3);
  }

  /**
   * {@code x} (N, C, D, H, W) in the channels-last layout ({@link #channelsLast}) copied into the
   * plain (contiguous) layout; the values and shape stay as they are.
   */
  public static NDArray plain(NDArray x) {
    // reshape cannot view channels-last memory flat, so it copies it in the logical order
    return x.reshape(-1).reshape(x.getShape());
  }

  private static long roundUp(long n, int block) {
    return (n + block - 1) / block * block;
  }
}
