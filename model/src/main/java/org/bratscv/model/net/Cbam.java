package org.bratscv.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.bratscv.model.engine.OneDnnConv;

/**
 * CBAM attention (Woo et al., 2018) in 3-D, as the paper's reference implementation ({@code
 * src/models/layers.py} of lescientifik/open_brats2020, itself after the original CBAM code):
 *
 * <ol>
 *   <li>channel gate: global average- and max-pooled (N, C) vectors each pass a shared MLP {@code
 *       Linear(C, C/16) -> ReLU -> Linear(C/16, C)} (both Linear layers with bias); the two are
 *       summed, squashed by a sigmoid and scale the channels;
 *   <li>spatial gate: [channel-max, channel-mean] (2 channels, in that order) -> 7x7x7 convolution
 *       to 1 channel (padding 3, no bias) -> norm -> ReLU -> sigmoid scales every voxel. The ReLU
 *       before the sigmoid is the reference's (its BasicConv ends in ReLU), so the spatial scale
 *       lies in [0.5, 1).
 * </ol>
 *
 * The MLP's hidden width is the reference's {@code C / 16} (integer division), which is 0 below 16
 * channels (tiny widths only; at the paper's width 48 it is never below 3). There the reference's
 * {@code Linear(C, 0)} outputs nothing and its {@code Linear(0, C)} yields its bias alone, for the
 * average- and the max-pooled vector alike: this block then holds just that bias ({@code
 * channelShift}, torch's bias bound {@code 1/sqrt(0)} read as 0, so it starts at 0) and the channel
 * scale is {@code sigmoid(2 * shift)}.
 */
public final class Cbam extends AbstractBlock {
  private static final byte VERSION = 1;
  private static final int[] LAST = {2};
  private static final int[] CHANNEL = {1};
  private static final Shape SPATIAL_PADDING = new Shape(3, 3, 3);

  /** Name of the one parameter of a zero-width channel gate (the reference's second bias). */
  public static final String CHANNEL_SHIFT = "channelShift";

  private final int channels;
  private final int hidden;
  private final Block mlpIn;
  private final Block mlpOut;
  private final Parameter channelShift;
  private final Block spatialConv;
  private final Block spatialNorm;

  private Cbam(Builder b) {
    super(VERSION);
    this.channels = b.channels;
    this.hidden = b.channels / b.reduction;
    if (hidden > 0) {
      this.mlpIn = addChildBlock("mlpIn", Linear.builder().setUnits(hidden).optBias(true).build());
      this.mlpOut =
          addChildBlock("mlpOut", Linear.builder().setUnits(channels).optBias(true).build());
      this.channelShift = null;
    } else {
      this.mlpIn = null;
      this.mlpOut = null;
      this.channelShift =
          addParameter(
              Parameter.builder()
                  .setName(CHANNEL_SHIFT)
                  .setType(Parameter.Type.BETA)
                  .optShape(new Shape(channels))
                  .optInitializer(Initializer.ZEROS)
                  .build());
    }
    this.spatialConv =
        addChildBlock(
            "spatialConv",
            Conv3d.builder()
                .setKernelShape(new Shape(7, 7, 7))
                .setFilters(1)
                .optPadding(SPATIAL_PADDING)
                .optBias(false)
                .build());
    this.spatialNorm = addChildBlock("spatialNorm", b.norm.create(1));
  }

  public int channels() {
    return channels;
  }

  /** Hidden width of the channel gate's MLP ({@code channels / reduction}, may be 0). */
  public int hidden() {
    return hidden;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    long n = x.getShape().get(0);
    // libtorch's DJL binding reduces one axis at a time: flatten the spatial axes first.
    NDArray channelLogits;
    if (hidden > 0) {
      NDArray flat = x.reshape(n, channels, -1);
      NDArray avg = mlp(ps, flat.mean(LAST), training, params);
      NDArray max = mlp(ps, flat.max(LAST), training, params);
      channelLogits = avg.add(max);
    } else {
      // The reference's Linear(0, C) gives its bias alone; in x's type, as autocast runs a
      // linear layer in float16 (the shift is not a linear weight, so HalfPrecision leaves it).
      NDArray shift = ps.getValue(channelShift, x.getDevice(), training);
      channelLogits = shift.mul(2).reshape(1, channels).repeat(0, n).toType(x.getDataType(), false);
    }
    NDArray channelScale = Activation.sigmoid(channelLogits).reshape(n, channels, 1, 1, 1);
    NDArray y = x.mul(channelScale);
    NDArray pooled = y.max(CHANNEL, true).concat(y.mean(CHANNEL, true), 1);
    // Not spatialConv.forward: libtorch's oneDNN gets the input gradient of a 1-filter conv wrong
    // (see OneDnnConv); the block still owns the weight, so parameters and checkpoints are as
    // before.
    NDArray weight =
        ps.getValue(spatialConv.getParameters().get("weight"), pooled.getDevice(), training);
    NDList s = new NDList(OneDnnConv.conv3d(pooled, weight, SPATIAL_PADDING));
    s = spatialNorm.forward(ps, s, training, params);
    NDArray spatialScale = Activation.sigmoid(Activation.relu(s.singletonOrThrow()));
    return new NDList(y.mul(spatialScale));
  }

  private NDArray mlp(
      ParameterStore ps, NDArray v, boolean training, PairList<String, Object> params) {
    NDList h = mlpIn.forward(ps, new NDList(v), training, params);
    h = new NDList(Activation.relu(h.singletonOrThrow()));
    return mlpOut.forward(ps, h, training, params).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    if (s.dimension() != 5 || s.get(1) != channels) {
      throw new IllegalArgumentException("Cbam over " + channels + " channels got shape " + s);
    }
    if (hidden > 0) {
      mlpIn.initialize(manager, dataType, new Shape(s.get(0), channels));
      mlpOut.initialize(manager, dataType, new Shape(s.get(0), hidden));
    }
    Shape pooled = new Shape(s.get(0), 2, s.get(2), s.get(3), s.get(4));
    spatialConv.initialize(manager, dataType, pooled);
    spatialNorm.initialize(manager, dataType, spatialConv.getOutputShapes(new Shape[] {pooled}));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Cbam}: {@code setChannels}, {@code setNorm} required; reduction (16). */
  public static final class Builder {
    private int channels;
    private Norm norm;
    private int reduction = 16;

    private Builder() {}

    public Builder setChannels(int channels) {
      this.channels = channels;
      return this;
    }

    public Builder setNorm(Norm norm) {
      this.norm = norm;
      return this;
    }

    public Builder optReduction(int reduction) {
      this.reduction = reduction;
      return this;
    }

    public Cbam build() {
      if (channels <= 0 || reduction <= 0 || norm == null) {
        throw new IllegalArgumentException(
            "Cbam needs channels > 0, reduction > 0 and a norm; got channels "
                + channels
                + ", reduction "
                + reduction
                + ", norm "
                + norm);
      }
      return new Cbam(this);
    }
  }
}
