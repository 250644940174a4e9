package org.bratscv.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.sweep.Comparison;
import org.bratscv.jobs.sweep.Sweep;
import org.bratscv.jobs.sweep.SweepConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code brats-cv sweep}: the variants of a sweep file, cross-validated and compared. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = {
      "Cross-validates every variant of a sweep file (a base configuration + overrides per"
          + " variant) on one shared preprocessing and fold split, training all variants' tasks"
          + " together, then compares each variant with the baseline (mean (std) over folds per"
          + " region, change, paired Wilcoxon p-value over cases): comparison.csv, comparison.md.",
      "Writes into <output>/<run-id>/ (default run id: today's UTC date) and points"
          + " <output>/LATEST (and <output>/latest on a local disk) at it; a rerun with the same"
          + " run id skips the variants that finished.",
      "Ends with the report (report/index.html, report.md) of the run folder.",
      "Exit code: 0 everything ok, 3 finished with failures (listed), other: the sweep failed."
    })
public final class SweepCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      description = "Sweep file (YAML), e.g. conf/ablation-nightly.yaml.")
  Path config;

  @Option(
      names = "--set",
      description = "Override one key of every variant's configuration (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--run-id",
      description = "Name of the run folder (letters, digits, '-', '_', '.'); default: the date.")
  String runId;

  @Mixin StaleOptions stale;

  @Override
  public Integer call() throws Exception {
    SweepConfig c = SweepConfig.load(config, overrides);
    SparkSession spark = Runs.spark(c.baselineConfig(), "sweep");
    Sweep.Outcome o;
    try {
      o = new Sweep(spark, c, runId, stale.policy()).run();
      Runs.writeReport(spark, o.root());
    } finally {
      spark.stop();
    }
    return report(c, o);
  }

  static int report(SweepConfig c, Sweep.Outcome o) {
    if (!o.comparison().isEmpty()) {
      System.out.println();
      System.out.print(Comparison.markdown("Sweep " + c.name(), o.comparison()));
    }
    o.removed()
        .forEach(
            (v, ids) ->
                System.out.println("variant " + v + " left out " + ids.size() + ": " + ids));
    if (!o.skipped().isEmpty()) {
      System.out.println("finished earlier, skipped: " + o.skipped());
    }
    System.out.println();
    System.out.println("outputs: " + o.root() + " (comparison.md, comparison.csv, variants/)");
    if (o.clean()) {
      return 0;
    }
    System.out.println("finished with failures:");
    o.failures().forEach(f -> System.out.println("  " + f));
    return Runs.SOME_FAILED;
  }
}
