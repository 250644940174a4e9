package org.bratscv.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bratscv.data.labels.Region;
import org.bratscv.data.metrics.CaseEvaluator;
import org.bratscv.data.metrics.CaseMetrics;
import org.bratscv.data.metrics.MetricConventions;
import org.bratscv.data.metrics.RegionMetrics;
import org.bratscv.data.nifti.NiftiReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code brats-cv evaluate-case}: Dice, HD95, sensitivity, specificity of one case, and under the
 * brats2023 convention the lesion-wise Dice and HD95.
 */
@Command(
    name = "evaluate-case",
    mixinStandardHelpOptions = true,
    description = {
      "Scores a predicted labelmap against the ground truth per region (ET, TC, WT):"
          + " Dice, HD95 (mm), sensitivity, specificity, as the BraTS evaluation defines them;"
          + " under --convention brats2023 also lesion-wise Dice and HD95.",
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
    MetricConventions conventions = layout.conventions();
    CaseMetrics m =
        new CaseEvaluator(layout.scheme(), conventions)
            .evaluate(LabelmapFiles.read(reader, pred), LabelmapFiles.read(reader, gt));
    if (json) {
      ObjectNode o = m.toJson();
      o.put("convention", conventions.id());
      System.out.println(new ObjectMapper().writeValueAsString(o));
    } else {
      System.out.println("convention " + conventions.id());
      boolean lesions = conventions.lesionWise();
      System.out.printf(
          "%-6s %8s %9s %12s %12s%s%n",
          "region",
          "dice",
          "hd95_mm",
          "sensitivity",
          "specificity",
          lesions ? String.format(" %16s %16s", "lesionwise_dice", "lesionwise_hd95") : "");
      for (Region r : Region.values()) {
        RegionMetrics rm = m.get(r);
        System.out.printf(
            "%-6s %8.4f %9.3f %12.4f %12.6f%s%n",
            r,
            rm.dice(),
            rm.hd95(),
            rm.sensitivity(),
            rm.specificity(),
            lesions
                ? String.format(
                    java.util.Locale.ROOT,
                    " %16.4f %16.3f",
                    rm.lesionwiseDice(),
                    rm.lesionwiseHd95())
                : "");
      }
    }
    return 0;
  }
}
