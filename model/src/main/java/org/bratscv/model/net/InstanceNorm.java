package org.bratscv.model.net;

/**
 * Instance normalisation with a learnt scale and shift per channel, as {@code
 * torch.nn.InstanceNorm3d(affine=True)} without running statistics (training and inference both
 * normalise by the sample's own statistics): the norm of pipeline B. DJL 0.36 has none.
 */
public final class InstanceNorm extends ChannelGroupNorm {
  private InstanceNorm(Builder b) {
    super(b.channels, b.channels, b.epsilon);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link InstanceNorm}: {@code setChannels} required, epsilon optional. */
  public static final class Builder {
    private int channels;
    private float epsilon = 1e-5f;

    private Builder() {}

    public Builder setChannels(int channels) {
      this.channels = channels;
      return this;
    }

    /** Added to the variance; 1e-5 as torch. */
    public Builder optEpsilon(float epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    public InstanceNorm build() {
      if (channels <= 0) {
        throw new IllegalArgumentException("InstanceNorm needs setChannels(> 0), got " + channels);
      }
      return new InstanceNorm(this);
    }
  }
}
