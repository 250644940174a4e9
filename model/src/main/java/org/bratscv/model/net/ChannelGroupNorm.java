package org.bratscv.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.bratscv.model.optim.Autograd;

/**
 * Shared body of {@link GroupNorm} and {@link InstanceNorm}: per sample, the channels are split
 * into {@code groups} groups, each group is normalised by its own mean and biased variance, {@code
 * (x - mean) / sqrt(var + eps)}, then each channel is scaled by gamma and shifted by beta
 * (initialised to 1 and 0, as torch does).
 *
 * <p>The statistics come from libtorch's fused batch-norm kernel applied to the input viewed as
 * {@code (1, N*G, -1)} in training mode: per "channel" of that view (one group of one sample) it
 * computes exactly the group's mean and biased variance, in one pass and with its own backward,
 * which is what {@code torch.nn.GroupNorm} does internally too. When every group is one channel
 * (instance norm) the affine step is fused into the same call. Outside training, with gradient
 * recording paused ({@link Autograd#paused()}, as inference runs), groups of several channels take
 * their statistics from sums instead and are normalised and scaled in one pass ({@link
 * #inferenceGroups}).
 *
 * <p>Leak trap: an op whose first operand is a parameter lands in the model's manager and would
 * stay there for the model's lifetime; such results are attached to the input's manager here.
 */
abstract class ChannelGroupNorm extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int channels;
  private final int groups;
  private final float epsilon;
  private final Parameter gamma;
  private final Parameter beta;

  ChannelGroupNorm(int channels, int groups, float epsilon) {
    super(VERSION);
    if (channels <= 0 || groups <= 0 || channels % groups != 0) {
      throw new IllegalArgumentException(
          "norm over " + channels + " channels cannot be split into " + groups + " equal groups");
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("norm epsilon must be > 0, got " + epsilon);
    }
    this.channels = channels;
    this.groups = groups;
    this.epsilon = epsilon;
    this.gamma =
        addParameter(
            Parameter.builder()
                .setName("gamma")
                .setType(Parameter.Type.GAMMA)
                .optShape(new Shape(channels))
                .optInitializer(Initializer.ONES)
                .build());
    this.beta =
        addParameter(
            Parameter.builder()
                .setName("beta")
                .setType(Parameter.Type.BETA)
                .optShape(new Shape(channels))
                .optInitializer(Initializer.ZEROS)
                .build());
  }

  public int channels() {
    return channels;
  }

  public int groups() {
    return groups;
  }

  public float epsilon() {
    return epsilon;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    NDArray input = inputs.singletonOrThrow();
    Shape shape = input.getShape();
    if (shape.dimension() < 2 || shape.get(1) != channels) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " over "
              + channels
              + " channels got input of shape "
              + shape);
    }
    NDManager manager = input.getManager();
    NDArray g = parameterStore.getValue(gamma, input.getDevice(), training);
    NDArray b = parameterStore.getValue(beta, input.getDevice(), training);
    // A float16 input (see HalfPrecision) is normalised in the parameters' float32, as autocast
    // runs group_norm, and handed back in float16 for the next convolution.
    DataType inputType = input.getDataType();
    NDArray x = inputType == g.getDataType() ? input : input.toType(g.getDataType(), false);
    long n = shape.get(0);
    boolean channelsLast = shape.dimension() == 5 && ChannelsLast.active(x.getDevice());
    // a pass that may record gradients through its input (libtorch's grad mode is on: a thread
    // that never paused it, or a caller that wants them) needs the kernel's own backward
    if (!training && groups != channels && !Autograd.isRecording()) {
      return new NDList(as(inputType, inferenceGroups(x, g, b, manager, channelsLast)));
    }
    if (channelsLast) {
      return new NDList(as(inputType, channelsLast(x, g, b, manager)));
    }
    long rows = n * groups;
    Shape stats = new Shape(rows);
    // The kernel insists on running statistics; with momentum 0 (see batchNorm) it leaves them as
    // they are, so one zeros and one ones array serve as running mean/var and, for groups,
    // as the unit scale and zero shift: two allocations per call instead of four.
    NDArray zeros = manager.zeros(stats, x.getDataType(), x.getDevice());
    NDArray ones = manager.ones(stats, x.getDataType(), x.getDevice());
    NDArray view = x.reshape(1, rows, -1);
    if (groups == channels) {
      NDArray scale = n == 1 ? g : attach(g.tile(n), manager);
      NDArray shift = n == 1 ? b : attach(b.tile(n), manager);
      return new NDList(
          as(inputType, batchNorm(view, zeros, ones, scale, shift, true).reshape(shape)));
    }
    NDArray y = batchNorm(view, zeros, ones, ones, zeros, true).reshape(shape);
    long[] perChannel = new long[shape.dimension()];
    java.util.Arrays.fill(perChannel, 1);
    perChannel[1] = channels;
    NDArray scale = attach(g.reshape(perChannel), manager);
    NDArray shift = attach(b.reshape(perChannel), manager);
    return new NDList(as(inputType, y.mul(scale).add(shift)));
  }

  /**
   * The same on a channels-last input, in its layout: per sample, the (D, H, W, C) memory viewed as
   * (D*H*W, G, C/G), whose batch-norm "channels" are the groups.
   */
  private NDArray channelsLast(NDArray x, NDArray g, NDArray b, NDManager manager) {
    Shape s = x.getShape();
    long n = s.get(0);
    long voxels = s.get(2) * s.get(3) * s.get(4);
    NDArray nd = ChannelsLast.ndhwc(x);
    NDArray zeros = manager.zeros(new Shape(groups), x.getDataType(), x.getDevice());
    NDArray ones = manager.ones(new Shape(groups), x.getDataType(), x.getDevice());
    NDArray[] samples = new NDArray[(int) n];
    for (int i = 0; i < n; i++) {
      NDArray view = (n == 1 ? nd : nd.get(i)).reshape(voxels, groups, channels / groups);
      NDArray y =
          groups == channels
              ? batchNorm(view, zeros, ones, g, b, true)
              : batchNorm(view, zeros, ones, ones, zeros, true);
      samples[i] = y.reshape(s.get(2), s.get(3), s.get(4), channels);
    }
    NDArray y = n == 1 ? samples[0].expandDims(0) : NDArrays.stack(new NDList(samples), 0);
    if (groups != channels) {
      y = y.mul(g).add(b);
      y.attach(manager);
    }
    return ChannelsLast.fromNdhwc(y);
  }

  /**
   * Groups of several channels outside training, where no gradient flows through the statistics:
   * per sample and channel the sum and the sum of squares over the voxels (a reduction and a
   * 2-norm, neither with a full-size temporary), combined per group into the mean and the biased
   * variance {@code E[x^2] - E[x]^2} (at least 0, as libtorch's channels-last group norm computes
   * it), then one inference-mode pass of the batch-norm kernel that takes those as its statistics
   * and applies the learnt scale and shift: three passes over the input.
   *
   * <p>The training-mode kernel instead needs its view of one statistic per row: in the plain
   * layout it is followed by a separate scale and a shift over the whole array, and on a
   * channels-last {@code (D*H*W, groups, channels per group)} view it walks an inner axis of 2 to 8
   * channels, unvectorised (width 16, 64^3, one thread, forward passes 331-344 ms with this path
   * against 366-370 ms on a 2-core AMD EPYC of family 25 model 17).
   */
  private NDArray inferenceGroups(
      NDArray x, NDArray g, NDArray b, NDManager manager, boolean channelsLast) {
    Shape s = x.getShape();
    long n = s.get(0);
    long voxels = s.size() / (n * channels);
    long perGroup = channels / groups;
    float count = (float) voxels * perGroup;
    // the voxels of one sample and channel along axis 1 of (N, V, C) memory, or 2 of (N, C, V)
    NDArray rows =
        channelsLast
            ? ChannelsLast.ndhwc(x).reshape(n, voxels, channels)
            : x.reshape(n, channels, voxels);
    int[] voxelAxis = {channelsLast ? 1 : 2};
    int[] channelAxis = {2};
    Shape byGroup = new Shape(n, groups, perGroup);
    NDArray mean = rows.sum(voxelAxis).reshape(byGroup).sum(channelAxis, true).div(count);
    NDArray squares = rows.norm(2, voxelAxis, false).square().reshape(byGroup);
    NDArray variance = squares.sum(channelAxis, true).div(count).sub(mean.square()).maximum(0f);
    NDArray means = mean.broadcast(byGroup).reshape(n, channels);
    NDArray variances = variance.broadcast(byGroup).reshape(n, channels);
    if (!channelsLast) {
      NDArray scale = n == 1 ? g : attach(g.tile(n), manager);
      NDArray shift = n == 1 ? b : attach(b.tile(n), manager);
      NDArray view = x.reshape(1, n * channels, voxels);
      return batchNorm(view, means.reshape(-1), variances.reshape(-1), scale, shift, false)
          .reshape(s);
    }
    NDList samples = new NDList((int) n);
    for (int i = 0; i < n; i++) {
      NDArray sample = n == 1 ? rows.reshape(voxels, channels) : rows.get(i);
      NDArray mi = n == 1 ? means.reshape(channels) : means.get(i);
      NDArray vi = n == 1 ? variances.reshape(channels) : variances.get(i);
      samples.add(batchNorm(sample, mi, vi, g, b, false).expandDims(0));
    }
    NDArray y = n == 1 ? samples.head() : NDArrays.concat(samples, 0);
    return ChannelsLast.fromNdhwc(y.reshape(n, s.get(2), s.get(3), s.get(4), channels));
  }

  private static NDArray as(DataType type, NDArray a) {
    return a.getDataType() == type ? a : a.toType(type, false);
  }

  /**
   * libtorch's batch norm of {@code view} per dim 1: in {@code training} mode by the view's own
   * statistics ({@code mean} and {@code var} are then running statistics, left as they are), else
   * by {@code mean} and {@code var}.
   */
  private NDArray batchNorm(
      NDArray view, NDArray mean, NDArray var, NDArray scale, NDArray shift, boolean training) {
    // axis -1 selects libtorch's own layout (statistics per dim 1). DJL hands libtorch 1 -
    // momentum, so 1 here means torch momentum 0: running stats stay exactly as given.
    return view.getNDArrayInternal()
        .batchNorm(view, mean, var, scale, shift, -1, 1f, epsilon, training)
        .singletonOrThrow();
  }

  private static NDArray attach(NDArray a, NDManager manager) {
    a.attach(manager);
    return a;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
