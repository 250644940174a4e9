package org.bratscv.jobs.cli;

import org.bratscv.data.cases.Layout;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.metrics.MetricConventions;
import picocli.CommandLine.Option;

/** The {@code --layout} and {@code --empty-hd95} options shared by the scoring commands. */
final class LayoutOption {
  @Option(
      names = "--layout",
      defaultValue = "brats2020",
      description =
          "Label convention: brats2020 or brats2021 (ET = 4), brats2023 (ET = 3), msd or nnunet"
              + " (1 edema, 2 non-enhancing, 3 ET); default ${DEFAULT-VALUE}.")
  String layout;

  @Option(
      names = "--empty-hd95",
      description =
          "HD95 when exactly one mask is empty; default 373.13 (the BraTS image diagonal),"
              + " 374 for brats2023.")
  Double emptyHd95;

  LabelScheme scheme() {
    return Layout.parse(layout).labelScheme();
  }

  MetricConventions conventions() {
    if (emptyHd95 != null) {
      return new MetricConventions(emptyHd95);
    }
    return MetricConventions.forScheme(scheme());
  }
}
