package org.bratscv.model.net;

/**
 * Group normalisation (Wu and He, 2018) with a learnt scale and shift per channel, as {@code
 * torch.nn.GroupNorm}: the norm of pipeline A. DJL 0.36 has none, hence this block.
 *
 * <p>Default groups follow the reference implementation: {@code min(16, channels)}, and when that
 * does not divide the channels, {@code channels / d} for the largest power of two {@code d <= 16}
 * that does (e.g. 24 channels: 3 groups of 8).
 */
public final class GroupNorm extends ChannelGroupNorm {
  /** The group count the paper's code uses by default. */
  public static final int DEFAULT_MAX_GROUPS = 16;

  private GroupNorm(Builder b) {
    super(b.channels, b.groups > 0 ? b.groups : defaultGroups(b.channels), b.epsilon);
  }

  /** The reference implementation's default group count for {@code channels}. */
  public static int defaultGroups(int channels) {
    if (channels <= 0) {
      throw new IllegalArgumentException("channels must be positive, got " + channels);
    }
    int groups = Math.min(DEFAULT_MAX_GROUPS, channels);
    if (channels % groups == 0) {
      return groups;
    }
    int divisor = DEFAULT_MAX_GROUPS;
    while (channels % divisor != 0) {
      divisor /= 2;
    }
    return channels / divisor;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link GroupNorm}: {@code setChannels} required; groups and epsilon optional. */
  public static final class Builder {
    private int channels;
    private int groups;
    private float epsilon = 1e-5f;

    private Builder() {}

    public Builder setChannels(int channels) {
      this.channels = channels;
      return this;
    }

    /** Number of groups; must divide the channels. Default: {@link #defaultGroups}. */
    public Builder optGroups(int groups) {
      this.groups = groups;
      return this;
    }

    /** Added to the variance; 1e-5 as torch. */
    public Builder optEpsilon(float epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    public GroupNorm build() {
      if (channels <= 0) {
        throw new IllegalArgumentException("GroupNorm needs setChannels(> 0), got " + channels);
      }
      return new GroupNorm(this);
    }
  }
}
