package org.bratscv.jobs.cli;

import org.bratscv.data.cases.Layout;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.metrics.MetricConventions;
import picocli.CommandLine.Option;

/** The {@code --layout} and {@code --convention} options shared by the scoring commands. */
final class LayoutOption {
  @Option(
      names = "--layout",
      defaultValue = "brats2020",
      description =
          "Label convention: brats2020 or brats2021 (ET = 4), brats2023 (ET = 3), msd or nnunet"
              + " (1 edema, 2 non-enhancing, 3 ET); default ${DEFAULT-VALUE}.")
  String layout;

  @Option(
      names = "--convention",
      description =
          "Metric convention: brats2020 (voxel-surface HD95, 373.13 mm for one empty mask) or"
              + " brats2023[-gli|-ssa|-ped|-men|-met] (surfel HD95, 374 mm, lesion-wise Dice and"
              + " HD95 with that challenge's parameters; brats2023 = brats2023-gli); default"
              + " brats2020 for the 2020/2021, msd and nnunet layouts, brats2023-gli for brats2023.")
  String convention;

  @Option(names = "--empty-hd95", hidden = true, description = "Replaced by --convention.")
  String emptyHd95;

  LabelScheme scheme() {
    return Layout.parse(layout).labelScheme();
  }

  MetricConventions conventions() {
    if (emptyHd95 != null) {
      throw new IllegalArgumentException(
          "--empty-hd95 was replaced by --convention: brats2020 scores one empty mask 373.13,"
              + " brats2023[-gli|-ssa|-ped|-men|-met] 374");
    }
    if (convention != null) {
      return MetricConventions.parse(convention);
    }
    return MetricConventions.forScheme(scheme());
  }
}
