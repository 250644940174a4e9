package org.bratscv.model.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv3d;

/**
 * A 3-D convolution whose input gradient is right on the CPU for any number of output channels.
 *
 * <p>libtorch 2.7.1's oneDNN (v3.7.1) float32 conv3d computes the <em>input</em> gradient wrongly
 * when the number of output channels is not a multiple of the kernel's channel block (8 for its
 * {@code jit:avx2} kernels, 16 for AVX-512): the forward output and the weight gradient are right,
 * but the backward-data result holds garbage, sometimes NaN, because the padded channels of the
 * blocked layout are read. It happens under every ISA cap that leaves the jit kernels in use
 * ({@code ONEDNN_MAX_CPU_ISA=AVX2}, {@code AVX512_CORE}, none), with one thread or several, and on
 * every call, not now and then; only {@code SSE41} avoided it, at the price of slowing every
 * convolution. libtorch sends a convolution to oneDNN for kernels wider than 3 (CBAM's 7x7x7
 * spatial gate, 2 -> 1 channels, at every size) and for 3x3x3 kernels once {@code N*C*D*H > 20480}
 * (so a network whose widths are not multiples of 8 trains on wrong gradients at real crop sizes).
 *
 * <p>Padding the weight with zero filters up to a multiple of {@link #CHANNEL_BLOCK} and keeping
 * only the real output channels avoids the kernel's padded path: the extra outputs get a zero
 * gradient, the real ones are computed as before, and the input gradient becomes exact. Measured
 * against a float64 reference (which libtorch computes without oneDNN) for a 2 -> 1 channel 7x7x7
 * convolution at 16, 8 and 4 voxels a side: wrong in 12 of 12 calls as is (relative error 0.3 to
 * 0.5, 9 of them NaN), exact (below 4e-6) in 12 of 12 calls with 16 filters, under AVX2,
 * AVX512_CORE and without a cap.
 */
public final class OneDnnConv {
  /** oneDNN's widest float32 channel block (AVX-512); a multiple of AVX2's 8. */
  public static final int CHANNEL_BLOCK = 16;

  private OneDnnConv() {}

  /**
   * {@code conv3d(x, weight)} without bias, stride 1, dilation 1, with the given padding; the
   * output channels are padded to a multiple of {@link #CHANNEL_BLOCK} inside when needed.
   */
  public static NDArray conv3d(NDArray x, NDArray weight, Shape padding) {
    Shape ws = weight.getShape();
    long filters = ws.get(0);
    long padded = (filters + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
    NDArray w = weight;
    if (padded != filters) {
      long[] extra = ws.getShape().clone();
      extra[0] = padded - filters;
      NDArray zeros = x.getManager().zeros(new Shape(extra), weight.getDataType(), x.getDevice());
      // The concat lands in the weight's (model's) manager; keep it with the input's.
      w = NDArrays.concat(new NDList(weight, zeros), 0);
      w.attach(x.getManager());
    }
    Shape one = new Shape(1, 1, 1);
    NDArray y = Conv3d.conv3d(x, w, null, one, padding, one, 1).singletonOrThrow();
    return padded == filters ? y : y.get(":, :" + filters);
  }
}
