package org.bratscv.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bratscv.data.metrics.CaseEvaluator;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.volume.LabelVolume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code brats-cv bench hd95}: time to score one case (all metrics of the three regions), files
 * already in memory, on the calling thread.
 */
@Command(
    name = "hd95",
    mixinStandardHelpOptions = true,
    description =
        "Times the scoring of one case (Dice, HD95, sensitivity, specificity for ET, TC, WT) on"
            + " one thread, files already read; prints ms per case.")
public final class BenchHd95Command implements Callable<Integer> {
  @Option(names = "--pred", required = true, description = "Predicted labelmap (NIfTI).")
  Path pred;

  @Option(names = "--gt", required = true, description = "Ground-truth labelmap (NIfTI).")
  Path gt;

  @Option(names = "--repeat", defaultValue = "10", description = "Timed runs, default 10.")
  int repeat;

  @Mixin LayoutOption layout;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat must be at least 1");
    }
    NiftiReader reader = NiftiReader.withDefaults();
    LabelVolume p = LabelmapFiles.read(reader, pred);
    LabelVolume g = LabelmapFiles.read(reader, gt);
    CaseEvaluator evaluator = new CaseEvaluator(layout.scheme(), layout.conventions());
    for (int i = 0; i < 3; i++) {
      evaluator.evaluate(p, g); // JIT warm-up
    }
    double best = Double.MAX_VALUE;
    long total = 0;
    for (int i = 0; i < repeat; i++) {
      long t0 = System.nanoTime();
      evaluator.evaluate(p, g);
      long dt = System.nanoTime() - t0;
      total += dt;
      best = Math.min(best, dt / 1e6);
    }
    double mean = total / 1e6 / repeat;
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("ms_per_case", mean);
      o.put("best_ms", best);
      o.put("repeat", repeat);
      o.put("dims", g.dims().toString());
      System.out.println(o);
    } else {
      System.out.printf(
          "%.1f ms per case (mean of %d, best %.1f ms), %s voxels%n", mean, repeat, best, g.dims());
    }
    return 0;
  }
}
