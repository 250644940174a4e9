package org.bratscv.model.net;

import ai.djl.nn.Block;
import java.util.Locale;

/**
 * The normalisation after each convolution: GroupNorm (pipeline A) or affine InstanceNorm (pipeline
 * B). Both hold one scale and one shift per channel.
 */
public enum Norm {
  GROUP,
  INSTANCE;

  /** A fresh normalisation block for {@code channels} channels. */
  public Block create(int channels) {
    return switch (this) {
      case GROUP -> GroupNorm.builder().setChannels(channels).build();
      case INSTANCE -> InstanceNorm.builder().setChannels(channels).build();
    };
  }

  /** Parses {@code group}/{@code gn} or {@code instance}/{@code in}, any case. */
  public static Norm parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "group", "groupnorm", "gn" -> GROUP;
      case "instance", "instancenorm", "in" -> INSTANCE;
      default ->
          throw new IllegalArgumentException("norm '" + text + "' is not one of group, instance");
    };
  }
}
