package org.bratscv.jobs.cli;

import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.net.Norm;
import picocli.CommandLine.Option;

/** The EquiUnet options shared by {@code model summary} and {@code bench model}. */
final class NetworkOptions {
  @Option(
      names = "--width",
      description = "Feature width w of the first level (default ${DEFAULT-VALUE}).")
  int width = 48;

  @Option(
      names = "--norm",
      description = "group (pipeline A) or instance (pipeline B) (default ${DEFAULT-VALUE}).",
      converter = NormConverter.class)
  Norm norm = Norm.GROUP;

  @Option(names = "--attention", description = "Add the CBAM attention blocks.")
  boolean attention;

  @Option(
      names = "--dropout",
      description = "Dropout rate after each ConvNormReLU (default ${DEFAULT-VALUE}).")
  float dropout;

  EquiUnet.Config config(boolean deepSupervision) {
    return EquiUnet.builder()
        .optWidth(width)
        .optNorm(norm)
        .optDeepSupervision(deepSupervision)
        .optAttention(attention)
        .optDropout(dropout)
        .config();
  }

  static final class NormConverter implements picocli.CommandLine.ITypeConverter<Norm> {
    @Override
    public Norm convert(String value) {
      return Norm.parse(value);
    }
  }
}
