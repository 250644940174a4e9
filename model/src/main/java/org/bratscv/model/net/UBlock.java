package org.bratscv.model.net;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Two {@link ConvNormRelu} in a row, {@code in -> mid -> out}, both with the same dilation: one
 * encoder or decoder stage of EquiUnet.
 */
public final class UBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final ConvNormRelu first;
  private final ConvNormRelu second;

  private UBlock(Builder b) {
    super(VERSION);
    first =
        addChildBlock(
            "cnr1",
            ConvNormRelu.builder()
                .setInChannels(b.in)
                .setOutChannels(b.mid)
                .setNorm(b.norm)
                .optDilation(b.dilation)
                .optDropout(b.dropout)
                .build());
    second =
        addChildBlock(
            "cnr2",
            ConvNormRelu.builder()
                .setInChannels(b.mid)
                .setOutChannels(b.out)
                .setNorm(b.norm)
                .optDilation(b.dilation)
                .optDropout(b.dropout)
                .build());
  }

  public int inChannels() {
    return first.inChannels();
  }

  public int outChannels() {
    return second.outChannels();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return second.forward(ps, first.forward(ps, inputs, training, params), training, params);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return second.getOutputShapes(first.getOutputShapes(inputShapes));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    first.initialize(manager, dataType, inputShapes);
    second.initialize(manager, dataType, first.getOutputShapes(inputShapes));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link UBlock}: {@code setChannels(in, mid, out)} and {@code setNorm} required;
   * dilation (1) and dropout (0) optional.
   */
  public static final class Builder {
    private int in;
    private int mid;
    private int out;
    private Norm norm;
    private int dilation = 1;
    private float dropout;

    private Builder() {}

    public Builder setChannels(int in, int mid, int out) {
      this.in = in;
      this.mid = mid;
      this.out = out;
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

    public UBlock build() {
      return new UBlock(this);
    }
  }
}
