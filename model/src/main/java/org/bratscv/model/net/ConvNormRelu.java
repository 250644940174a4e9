package org.bratscv.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.bratscv.model.engine.OneDnnConv;

/**
 * EquiUnet's basic unit: 3x3x3 convolution (padding = dilation, so the size is kept; no bias since
 * the norm's shift replaces it) -> norm -> ReLU (-> dropout when its rate is above 0, as the
 * reference implementation).
 */
public final class ConvNormRelu extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int inChannels;
  private final int outChannels;
  private final int dilation;
  private final Block conv;
  private final Block norm;
  private final Block dropout;

  private ConvNormRelu(Builder b) {
    super(VERSION);
    this.inChannels = b.inChannels;
    this.outChannels = b.outChannels;
    this.dilation = b.dilation;
    this.conv =
        addChildBlock(
            "conv",
            Conv3d.builder()
                .setKernelShape(new Shape(3, 3, 3))
                .setFilters(outChannels)
                .optPadding(new Shape(dilation, dilation, dilation))
                .optDilation(new Shape(dilation, dilation, dilation))
                .optBias(false)
                .build());
    this.norm = addChildBlock("norm", b.norm.create(outChannels));
    this.dropout =
        b.dropout > 0
            ? addChildBlock("dropout", Dropout.builder().optRate(b.dropout).build())
            : null;
  }

  public int inChannels() {
    return inChannels;
  }

  public int outChannels() {
    return outChannels;
  }

  public int dilation() {
    return dilation;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    // Not conv.forward: libtorch's oneDNN is wrong for channel counts off its block (see
    // OneDnnConv); the block still owns the weight, so parameters and checkpoints are unchanged.
    NDArray in = inputs.singletonOrThrow();
    NDArray weight = ps.getValue(conv.getParameters().get("weight"), in.getDevice(), training);
    Shape d = new Shape(dilation, dilation, dilation);
    NDList x = new NDList(OneDnnConv.conv3d(in, weight, d, d, ChannelsLast.active(in.getDevice())));
    x = norm.forward(ps, x, training, params);
    x = new NDList(Activation.relu(x.singletonOrThrow()));
    return dropout == null ? x : dropout.forward(ps, x, training, params);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return conv.getOutputShapes(inputShapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    checkChannels(inputShapes[0]);
    conv.initialize(manager, dataType, inputShapes);
    Shape[] out = conv.getOutputShapes(inputShapes);
    norm.initialize(manager, dataType, out);
    if (dropout != null) {
      dropout.initialize(manager, dataType, out);
    }
  }

  private void checkChannels(Shape s) {
    if (s.dimension() != 5 || s.get(1) != inChannels) {
      throw new IllegalArgumentException(
          "ConvNormRelu(" + inChannels + "->" + outChannels + ") got input of shape " + s);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link ConvNormRelu}: {@code setInChannels}, {@code setOutChannels}, {@code setNorm}
   * required; dilation (1) and dropout rate (0) optional.
   */
  public static final class Builder {
    private int inChannels;
    private int outChannels;
    private Norm norm;
    private int dilation = 1;
    private float dropout;

    private Builder() {}

    public Builder setInChannels(int inChannels) {
      this.inChannels = inChannels;
      return this;
    }

    public Builder setOutChannels(int outChannels) {
      this.outChannels = outChannels;
      return this;
    }

    public Builder setNorm(Norm norm) {
      this.norm = norm;
      return this;
    }

    public Builder optDilation(int dilation) {
      this.dilation = dilation;
      return this;
    }

    public Builder optDropout(float rate) {
      this.dropout = rate;
      return this;
    }

    public ConvNormRelu build() {
      if (inChannels <= 0 || outChannels <= 0) {
        throw new IllegalArgumentException(
            "ConvNormRelu needs positive channels, got " + inChannels + "->" + outChannels);
      }
      if (norm == null) {
        throw new IllegalArgumentException("ConvNormRelu needs setNorm(GROUP or INSTANCE)");
      }
      if (dilation < 1) {
        throw new IllegalArgumentException("dilation must be >= 1, got " + dilation);
      }
      if (dropout < 0 || dropout >= 1) {
        throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropout);
      }
      return new ConvNormRelu(this);
    }
  }
}
