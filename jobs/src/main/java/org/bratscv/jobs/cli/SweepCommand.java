package org.bratscv.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.bratscv.jobs.config.ConfigFile;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.sweep.Comparison;
import org.bratscv.jobs.sweep.Sweep;
import org.bratscv.jobs.sweep.SweepConfig;
import org.bratscv.jobs.sweep.UnfinishedSweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
      "Ends with the report (report/index.html, report.md) of the run folder, and marks it"
          + " <run-id>/FINISHED (failures or not).",
      "Holds <output>/brats-cv.lock while it runs, so two sweeps into one output (two nights)"
          + " never overlap: the second is refused.",
      "With --resume-unfinished, first resumes the run folder started last under <output> when"
          + " it lacks FINISHED (an interrupted night), then runs this one.",
      "Exit code: 0 everything ok, 3 finished with failures (listed; a failed resume counts), 4"
          + " another run holds the output's lock, other: the sweep failed."
    })
public final class SweepCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      description =
          "Sweep file (YAML): a local path or a file:, hdfs: or s3a: URI, e.g."
              + " conf/ablation-nightly.yaml.")
  String config;

  @Option(
      names = "--set",
      description = "Override one key of every variant's configuration (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--output",
      description = "Where the dated run folders go (default: the sweep file's output).")
  String output;

  @Option(
      names = "--run-id",
      description = "Name of the run folder (letters, digits, '-', '_', '.'); default: the date.")
  String runId;

  @Mixin StaleOptions stale;

  @Mixin DeviceOption device;

  @Option(
      names = "--resume-unfinished",
      description =
          "First resume the run folder under the output that was started last, when it did not"
              + " finish (no FINISHED marker) and is not this run's, with this sweep file; then"
              + " run this one. The nightly wrapper passes it.")
  boolean resumeUnfinished;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(device.overrides());
    SweepConfig c =
        SweepConfig.load(ConfigFile.of(config), HadoopConf.forDriver(Map.of()), all, output);
    SparkSession spark = Runs.spark(c.baselineConfig(), "sweep");
    int resumed = 0;
    Sweep.Outcome o;
    // the lock is on the sweep's output, not one run folder: a night still running refuses the next
    try (RunLock lock = Runs.lock(spark, c.output(), spec)) {
      Sweep tonight = new Sweep(spark, c, runId, stale.policy());
      if (resumeUnfinished) {
        resumed = resumeUnfinished(spark, c, tonight.root().path().getName());
      }
      o = tonight.run();
      Runs.writeReport(spark, o.root());
    } finally {
      spark.stop();
    }
    return Math.max(resumed, report(c, o));
  }

  /**
   * Resumes the unfinished run folder started last ({@link UnfinishedSweep}), if any, and returns
   * its exit code. A resume that fails is reported and counts as a failure, but does not stop
   * tonight's run: once tonight's has started, the failed one is no longer the run started last.
   */
  private static int resumeUnfinished(SparkSession spark, SweepConfig c, String tonight)
      throws java.io.IOException {
    OutputRoot top = new OutputRoot(c.output());
    Optional<String> unfinished =
        UnfinishedSweep.newest(
            top.fileSystem(spark.sparkContext().hadoopConfiguration()), top, tonight);
    if (unfinished.isEmpty()) {
      System.out.println("no unfinished sweep run to resume in " + top.uri());
      return 0;
    }
    System.out.println(
        "resuming the unfinished sweep run " + unfinished.get() + " before " + tonight);
    try {
      Sweep.Outcome o = new Sweep(spark, c, unfinished.get()).run();
      Runs.writeReport(spark, o.root());
      return report(c, o);
    } catch (Exception e) {
      System.out.println(
          "resuming the sweep run "
              + unfinished.get()
              + " failed: "
              + (e.getMessage() == null ? e : e.getMessage())
              + "; continuing with "
              + tonight);
      return Runs.SOME_FAILED;
    }
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
    if (c.ensemble() != null) {
      System.out.println(
          "selected ensemble: "
              + o.root()
              + "/ensemble.csv (every candidate's scores), ensemble/ (its test labelmaps)");
    }
    if (o.clean()) {
      return 0;
    }
    System.out.println("finished with failures:");
    o.failures().forEach(f -> System.out.println("  " + f));
    return Runs.SOME_FAILED;
  }
}
