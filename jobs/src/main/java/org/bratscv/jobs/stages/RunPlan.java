package org.bratscv.jobs.stages;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.bratscv.data.cases.BratsCase;
import org.bratscv.data.cases.CaseDiscovery;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.folds.FoldSplitJson;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.jobs.config.PipelineSettings;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.HadoopCaseStore;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.spark.TaskCpus;

/**
 * What a cross-validation (or the shared part of a sweep) would do, worked out on the driver
 * without running anything: which roots it reaches, how many cases it finds, the tasks of each
 * stage and their resources, and what it would skip as done. Each "done" is decided by the stage's
 * own rule ({@link PreprocessStage#whyRedo}, {@link FoldsStage#split} against {@code folds.json},
 * {@link TrainStage#isDone}), so the plan cannot disagree with the run. Used by {@code brats-cv
 * check}.
 *
 * @param lines the plan, one line per fact, in stage order
 * @param problems what would make the run fail; empty when it can start
 */
public record RunPlan(List<String> lines, List<String> problems) {
  private static final int SHOWN = 5;

  /**
   * @param shared where preprocessing, folds and models go (a cv's output root, a sweep's run
   *     folder)
   * @param pipelines the pipelines of each variant (a cv: one variant, {@code baseline})
   * @param normalizations every normalisation the variants need
   * @param spark the run's Spark settings: whether the cluster schedules GPUs (training tasks then
   *     take one each), and the CPUs of its tasks ({@link TaskCpus})
   */
  public static RunPlan of(
      Configuration hadoop,
      RunConfig c,
      RunFolder shared,
      Map<String, Map<String, PipelineSettings>> pipelines,
      Set<Normalization> normalizations,
      SparkConf spark,
      StaleOutputs stale) {
    TaskCpus trainCpus = TaskCpus.of(spark, c.compute().trainCpusPerTask());
    TaskCpus inferCpus = TaskCpus.of(spark, c.compute().engineThreads());
    boolean gpus = trainCpus.gpus();
    List<String> lines = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    String notWritable = shared.root().whyNotWritable(hadoop);
    if (notWritable != null) {
      problems.add("output " + shared.uri() + ": " + notWritable);
    } else {
      lines.add("output: " + shared.uri() + " (writable)");
    }
    CaseDiscovery.Result train = discover(hadoop, "data.train", c.trainArchive(), lines, problems);
    CaseDiscovery.Result test =
        c.testArchive() == null
            ? null
            : discover(hadoop, "data.test", c.testArchive(), lines, problems);
    if (c.splitFile() != null && !exists(hadoop, c.splitFile())) {
      problems.add("folds.split_file " + c.splitFile() + ": not found");
    }
    if (train == null) {
      return new RunPlan(lines, problems);
    }
    int perTask = c.compute().casesPerTask();
    List<BratsCase> cases = train.cases();
    PreprocessStage.Settings pre =
        new PreprocessStage.Settings(
            c.trainArchive(),
            shared.root(),
            normalizations,
            c.labelScheme(),
            perTask,
            c.maxVoxelBytes());
    List<String> redo = new ArrayList<>();
    HadoopConf conf = new HadoopConf(hadoop);
    try {
      FileSystem fs = shared.root().fileSystem(hadoop);
      for (BratsCase k : cases) {
        String why = PreprocessStage.whyRedo(k, pre, fs, conf);
        if (why != null) {
          redo.add(k.id() + ": " + why);
        }
      }
    } catch (IOException | RuntimeException e) {
      problems.add("preprocess: cannot read " + shared.preprocessDir() + ": " + e.getMessage());
      return new RunPlan(lines, problems);
    }
    lines.add(
        String.format(
            "preprocess: %d cases in %d tasks (%d per task): %d done (kept), %d to preprocess%s",
            cases.size(),
            tasks(cases.size(), perTask),
            perTask,
            cases.size() - redo.size(),
            redo.size(),
            redo.isEmpty() ? "" : " " + abbreviate(redo)));

    List<String> labelled =
        cases.stream().filter(BratsCase::hasLabel).map(BratsCase::id).sorted().toList();
    FoldSplit split = null;
    FoldsStage.Settings folds =
        new FoldsStage.Settings(shared.root(), c.folds(), c.seed(), c.splitFile(), stale);
    try {
      split = FoldsStage.split(hadoop, folds, labelled);
      String kept = foldsDecision(hadoop, shared, split, stale, problems);
      lines.add(
          String.format(
              "folds: %d folds over %d labelled cases: %s",
              split.k(), split.caseIds().size(), kept));
    } catch (IOException | RuntimeException e) {
      problems.add(e.getMessage());
    }

    int foldCount = split != null ? split.k() : c.folds();
    int trainTasks = 0;
    for (Map<String, PipelineSettings> ps : pipelines.values()) {
      trainTasks += ps.size() * foldCount;
    }
    String resources = (gpus ? "1 GPU and " : "on CPUs, ") + trainCpus.describe();
    String done;
    if (split == null) {
      done = "";
    } else if (!redo.isEmpty()) {
      done = "; which models are done is known once preprocessing is current";
    } else {
      done = "; " + trainedModels(hadoop, shared, pipelines, split, c, problems);
    }
    lines.add(
        String.format(
            "train: %d tasks (pipelines %s x %d folds), %s%s",
            trainTasks, pipelineNames(pipelines), foldCount, resources, done));
    String share =
        (gpus ? c.compute().inferGpuShare() + " GPU and " : "on CPUs, ") + inferCpus.describe();
    for (TaskCpus cpus : List.of(trainCpus, inferCpus)) {
      int cores = spark.getInt("spark.executor.cores", 0);
      if (cpus.localCores() == 0 && cores > 0 && cpus.cpus() > cores) {
        problems.add(
            String.format(
                "compute: a task of %d CPUs never fits an executor of spark.executor.cores=%d"
                    + " (Spark would wait for it forever); lower compute.engine_threads or"
                    + " compute.train_cpus_per_task, or give executors more cores",
                cpus.cpus(), cores));
        break;
      }
    }
    lines.add(
        String.format(
            "infer: out-of-fold %d cases in %d tasks%s, %s, %d TTA per model, merge %s"
                + " (labelmaps made from the same models and settings are kept)",
            labelled.size(),
            tasks(labelled.size(), perTask),
            test == null
                ? ""
                : String.format(
                    ", test %d cases in %d tasks",
                    test.cases().size(), tasks(test.cases().size(), perTask)),
            share,
            c.ensemble().labeling().tta(),
            c.ensemble().labeling().merge().isEmpty() ? "none" : c.ensemble().labeling().merge()));
    lines.add("evaluate: metrics recomputed from the labelmaps on disk, then the report");
    return new RunPlan(lines, problems);
  }

  private static CaseDiscovery.Result discover(
      Configuration hadoop, String key, String root, List<String> lines, List<String> problems) {
    try {
      CaseDiscovery.Result r = new CaseDiscovery(new HadoopCaseStore(hadoop)).discover(root);
      if (r.cases().isEmpty()) {
        problems.add(key + " " + root + ": no cases found (" + r.problems().size() + " problems)");
        return null;
      }
      lines.add(
          String.format(
              "%s: %s (readable): %d cases found, %d labelled%s",
              key,
              root,
              r.cases().size(),
              r.cases().stream().filter(BratsCase::hasLabel).count(),
              r.problems().isEmpty()
                  ? ""
                  : ", "
                      + r.problems().size()
                      + " problems (each becomes an error row): "
                      + abbreviate(
                          r.problems().stream()
                              .map(p -> p.caseId() + ": " + p.reason())
                              .toList())));
      return r;
    } catch (IOException | RuntimeException e) {
      problems.add(key + " " + root + ": " + (e.getMessage() == null ? e : e.getMessage()));
      return null;
    }
  }

  private static boolean exists(Configuration hadoop, String file) {
    try {
      Path p = new Path(file);
      return p.getFileSystem(hadoop).exists(p);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** What {@link FoldsStage#run} would do with {@code folds.json} (a problem where it stops). */
  private static String foldsDecision(
      Configuration hadoop,
      RunFolder shared,
      FoldSplit split,
      StaleOutputs stale,
      List<String> problems)
      throws IOException {
    Path target = shared.foldsJson();
    FileSystem fs = target.getFileSystem(hadoop);
    if (!fs.exists(target)) {
      return "to be written";
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FoldSplitJson.write(split, bytes);
    byte[] old;
    try (InputStream in = fs.open(target)) {
      old = in.readAllBytes();
    }
    if (Arrays.equals(old, bytes.toByteArray())) {
      return "folds.json unchanged (kept)";
    }
    FoldSplit earlier;
    try (InputStream in = new java.io.ByteArrayInputStream(old)) {
      earlier = FoldSplitJson.read(in, target.toString());
    }
    String difference = FoldsStage.difference(earlier, split);
    if (!fs.exists(shared.modelsCsv())) {
      return "a new split, no model trained yet (" + difference + ")";
    }
    return switch (stale) {
      case STOP -> {
        problems.add(
            "folds: the split differs from "
                + target
                + ", under which models were trained ("
                + difference
                + "): the run would stop; "
                + StaleOutputs.flags("train every model anew", "keep the old split"));
        yield "differs from folds.json (" + difference + ")";
      }
      case KEEP -> "--keep-stale: the old split is kept (" + difference + ")";
      case OVERWRITE -> "--overwrite: a new split, every model trained anew (" + difference + ")";
    };
  }

  private static String trainedModels(
      Configuration hadoop,
      RunFolder shared,
      Map<String, Map<String, PipelineSettings>> pipelines,
      FoldSplit split,
      RunConfig c,
      List<String> problems) {
    try {
      FileSystem fs = shared.root().fileSystem(hadoop);
      Map<String, String> fingerprints = new HashMap<>();
      if (fs.exists(shared.caseManifestCsv())) {
        for (CaseManifestRow r : CaseManifestRow.TABLE.read(fs, shared.caseManifestCsv())) {
          if (r.isOk()) {
            fingerprints.put(r.getCaseId(), r.getFingerprint());
          }
        }
      }
      TrainStage.Settings s =
          new TrainStage.Settings(
              shared.root(),
              new LinkedHashMap<>(pipelines),
              split,
              c.compute(),
              Map.of(),
              fingerprints);
      int done = 0;
      List<TrainStage.Task> all = TrainStage.allTasks(s);
      List<String> toTrain = new ArrayList<>();
      for (TrainStage.Task t : all) {
        if (TrainStage.isDone(fs, s, t)) {
          done++;
        } else {
          toTrain.add(t.label());
        }
      }
      return done
          + " done (kept), "
          + toTrain.size()
          + " to train"
          + (toTrain.isEmpty() ? "" : " " + abbreviate(toTrain));
    } catch (IOException | RuntimeException e) {
      problems.add("train: cannot read " + shared.trainDir() + ": " + e.getMessage());
      return "";
    }
  }

  /** {@code [A, B]} for one variant, {@code {unet=[A], pipeline-b=[B]}} for several. */
  private static String pipelineNames(Map<String, Map<String, PipelineSettings>> pipelines) {
    if (pipelines.size() == 1) {
      return pipelines.values().iterator().next().keySet().toString();
    }
    Map<String, Set<String>> byVariant = new LinkedHashMap<>();
    pipelines.forEach((v, ps) -> byVariant.put(v, ps.keySet()));
    return byVariant.toString();
  }

  private static int tasks(int cases, int perTask) {
    return cases == 0 ? 0 : (cases + perTask - 1) / perTask;
  }

  private static String abbreviate(List<String> items) {
    return items.size() <= SHOWN
        ? items.toString()
        : items.subList(0, SHOWN) + " and " + (items.size() - SHOWN) + " more";
  }
}
