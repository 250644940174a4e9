package org.bratscv.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bratscv.data.labels.Region;
import org.bratscv.data.metrics.CaseEvaluator;
import org.bratscv.data.metrics.CaseMetrics;
import org.bratscv.data.metrics.RegionMetrics;
import org.bratscv.data.nifti.NiftiReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code brats-cv evaluate-case}: Dice, HD95, sensitivity, specificity of one case. */
@Command(
    name = "evaluate-case",
    mixinStandardHelpOptions = true,
    description = {
      "Scores a predicted labelmap against the ground truth per region (ET, TC, WT):"
          + " Dice, HD95 (mm), sensitivity, specificity, as the BraTS evaluation defines them.",
      "Undefined values (sensitivity with an empty ground truth) print as NaN, and as null in JSON."
    })
public final class EvaluateCaseCommand implements Callable<Integer> {
  @Option(names = "--pred", required = true, description = "Predicted labelmap (NIfTI).")
  Path pred;

  @Option(names = "--gt", required = true, description = "Ground-truth labelmap (NIfTI).")
  Path gt;

  @Mixin LayoutOption layout;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    NiftiReader reader = NiftiReader.withDefaults();
    CaseMetrics m =
        new CaseEvaluator(layout.scheme(), layout.conventions())
            .evaluate(LabelmapFiles.read(reader, pred), LabelmapFiles.read(reader, gt));
    if (json) {
      System.out.println(new ObjectMapper().writeValueAsString(m.toJson()));
    } else {
      System.out.printf(
          "%-6s %8s %9s %12s %12s%n", "region", "dice", "hd95_mm", "sensitivity", "specificity");
      for (Region r : Region.values()) {
        RegionMetrics rm = m.get(r);
        System.out.printf(
            "%-6s %8.4f %9.3f %12.4f %12.6f%n",
            r, rm.dice(), rm.hd95(), rm.sensitivity(), rm.specificity());
      }
    }
    return 0;
  }
}
