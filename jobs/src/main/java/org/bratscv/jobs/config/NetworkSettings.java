package org.bratscv.jobs.config;

import java.io.Serializable;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;

/**
 * The {@code network} section of a pipeline: the EquiUnet's width, norm, deep supervision,
 * attention and dropout.
 */
public record NetworkSettings(
    int width, Norm norm, boolean deepSupervision, boolean attention, float dropout)
    implements Serializable {

  static NetworkSettings read(Settings s, NetworkSettings defaults) {
    NetworkSettings n =
        new NetworkSettings(
            s.integer("width", defaults.width()),
            Norm.parse(s.choice("norm", defaults.norm().name(), "group", "instance")),
            s.flag("deep_supervision", defaults.deepSupervision()),
            s.flag("attention", defaults.attention()),
            (float) s.number("dropout", defaults.dropout()));
    s.rejectUnknownKeys();
    if (n.width() < 1) {
      throw new ConfigException("network.width must be at least 1, got " + n.width());
    }
    return n;
  }

  /** A fresh, uninitialised network of these settings. */
  public EquiUnet build() {
    return EquiUnet.builder()
        .optWidth(width)
        .optNorm(norm)
        .optDeepSupervision(deepSupervision)
        .optAttention(attention)
        .optDropout(dropout)
        .build();
  }
}
