package org.bratscv.jobs.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.spark.GpuScheduling;
import org.bratscv.jobs.spark.SparkSessions;
import org.bratscv.jobs.stages.SegmentStage;
import org.bratscv.jobs.stages.TrainedEnsemble;
import org.bratscv.model.infer.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code brats-cv segment}: bulk segmentation of an archive with a trained ensemble. */
@Command(
    name = "segment",
    mixinStandardHelpOptions = true,
    description = {
      "Segments every case of an archive (BraTS 2020/2021/2023+ folders, a Decathlon or nnU-Net"
          + " data set folder, or a CSV manifest; labels not needed) with"
          + " the trained ensemble of a finished run: preprocessing and inference in Spark tasks,"
          + " nothing intermediate written. Writes <output>/labelmaps/<case>.nii.gz (on the grid"
          + " of the case's T1), optionally <output>/probabilities/<case>.nii.gz, and"
          + " <output>/segment.csv with one row per case (ok, done, error + reason).",
      "Cases whose outputs exist are skipped, so an interrupted run resumes where it stopped;"
          + " an output folder whose labelmaps another ensemble or other settings made stops the"
          + " run unless --overwrite or --keep-stale says what to do (fingerprint.json).",
      "Holds <output>/brats-cv.lock while it runs: a second run on the same output is refused.",
      "Exit code: 0 every case ok, 3 some cases failed (listed in segment.csv), 4 another run"
          + " holds the output's lock, other: the run failed."
    })
public final class SegmentCommand implements Callable<Integer> {
  @Option(
      names = "--models",
      required = true,
      description =
          "A finished run's folder (or its train/ folder, or a train/models.csv), a sweep"
              + " root: its selected ensemble (ensemble.csv), or with --variant one variant's"
              + " models, or a model package: a folder with manifest.json or a .zip (model"
              + " export).")
  String models;

  @Option(names = "--input", required = true, description = "Archive root to segment.")
  String input;

  @Option(names = "--output", required = true, description = "Output folder.")
  String output;

  @Option(
      names = "--variant",
      description =
          "Variant of a sweep's models (default: the sweep's selected ensemble, else the only"
              + " one).")
  String variant;

  @Option(
      names = "--tta",
      description = "Test-time augmentations per model, 16 or 1 (default: the run's, else 16).")
  Integer tta;

  @Option(names = "--threshold", description = "Probability threshold (default: the run's).")
  Double threshold;

  @Option(
      names = "--brain-mask",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "true|false",
      description =
          "Labels only inside the brain: region maps set to 0 where every input channel is 0"
              + " (default: the run's ensemble.brain_mask, else false).")
  Boolean brainMask;

  @Option(
      names = "--precision",
      description = "fp32 or fp16 (fp16 used on GPUs, fp32 on CPUs; default: the run's).")
  String precision;

  @Option(
      names = "--probabilities",
      description = "Also write the ET/TC/WT probability maps (float32, 4-D).")
  boolean probabilities;

  @Option(
      names = "--uncertainty",
      description =
          "Also write per region an uncertainty map in the BraTS 2020 uncertainty-task format:"
              + " <output>/labelmaps/uncertainty/<case>_unc_{whole,core,enhance}.nii.gz, uint8"
              + " 0..100, 0 = certain (binary entropy of the ensemble's mean probability).")
  boolean uncertainty;

  @Option(
      names = "--labels",
      defaultValue = "auto",
      description =
          "Label numbering of the written labelmaps: auto (each case's layout, or its"
              + " dataset.json), brats2020, brats2021, brats2023, brats2024, msd; default"
              + " ${DEFAULT-VALUE}.")
  String labels;

  @picocli.CommandLine.Mixin DeviceOption device;

  @Option(
      names = "--cases-per-task",
      defaultValue = "4",
      description = "Cases per Spark task, default ${DEFAULT-VALUE}.")
  int casesPerTask;

  @Option(
      names = "--engine-threads",
      defaultValue = "1",
      description = "libtorch threads per task, default ${DEFAULT-VALUE}.")
  int engineThreads;

  @Option(
      names = "--gpu-share",
      defaultValue = "0.25",
      description = "Fraction of a GPU per task on GPU clusters, default ${DEFAULT-VALUE}.")
  double gpuShare;

  @Option(
      names = "--tta-batch-bytes",
      description =
          "Memory one forward pass's batch of test-time augmentations may take (by an estimate"
              + " from the case size and network width), e.g. 1073741824 on a GPU; 0 = one at a"
              + " time, faster on CPUs; default ${DEFAULT-VALUE}.")
  long ttaBatchBytes;

  @Option(
      names = "--max-voxel-bytes",
      defaultValue = "2147483639",
      description = "Largest voxel payload a NIfTI header may declare, default ${DEFAULT-VALUE}.")
  long maxVoxelBytes;

  @Option(
      names = "--spark",
      description = "A Spark setting used where spark-submit sets none, key=value (repeatable).")
  List<String> spark = new ArrayList<>();

  @Mixin StaleOptions stale;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (tta != null && tta != 1 && tta != 16) {
      throw new IllegalArgumentException("--tta must be 1 or 16, got " + tta);
    }
    if (ttaBatchBytes < 0) {
      throw new IllegalArgumentException("--tta-batch-bytes must be >= 0, got " + ttaBatchBytes);
    }
    if (casesPerTask < 1 || engineThreads < 1) {
      throw new IllegalArgumentException("--cases-per-task and --engine-threads must be >= 1");
    }
    OutputRoot out = new OutputRoot(output);
    Map<String, String> sparkSettings = new LinkedHashMap<>();
    for (String kv : spark) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--spark expects key=value, got '" + kv + "'");
      }
      sparkSettings.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    SparkSession session = SparkSessions.getOrCreate("brats-cv segment", sparkSettings);
    SegmentStage.Result r;
    try (RunLock lock = Runs.lock(session, output, spec)) {
      GpuScheduling.checkLocalDevice(session.sparkContext().getConf(), device.setting());
      var hadoop = session.sparkContext().hadoopConfiguration();
      TrainedEnsemble e = Runs.ensemble(hadoop, models, variant);
      System.err.printf(
          "segment: ensemble of %d models (variant %s, pipelines %s, merge %s) from %s%n",
          e.modelCount(), e.variant(), e.members().keySet(), e.labeling().merge(), e.source());
      Labeling own = e.labeling();
      SegmentStage.Settings s =
          new SegmentStage.Settings(
              input,
              out,
              e.members(),
              labels.equals("auto") ? null : LabelScheme.parse(labels),
              new Labeling(
                  tta != null ? tta : own.tta(),
                  threshold != null ? threshold : own.threshold(),
                  own.merge(),
                  precision != null ? Precision.parse(precision) : own.precision(),
                  brainMask != null ? brainMask : own.brainMask()),
              probabilities,
              uncertainty,
              casesPerTask,
              engineThreads,
              gpuShare,
              maxVoxelBytes,
              stale.policy(),
              e.selection(),
              device.setting(),
              ttaBatchBytes);
      r = new SegmentStage().run(session, s);
    } finally {
      session.stop();
    }
    System.out.printf(
        "segment: %d cases segmented, %d done earlier, %d failed; outputs in %s (segment.csv)%n",
        r.count("ok"), r.count("done"), r.count("error"), output);
    if (r.errors().isEmpty()) {
      return 0;
    }
    System.out.println("failed cases:");
    r.errors().forEach(x -> System.out.println("  " + x.caseId() + ": " + x.reason()));
    return Runs.SOME_FAILED;
  }
}
