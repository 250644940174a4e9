package org.bratscv.jobs.stages;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.bratscv.data.folds.Fold;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.jobs.config.PipelineSettings;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.HadoopCheckpointStore;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.spark.GpuScheduling;
import org.bratscv.jobs.spark.Progress;
import org.bratscv.jobs.spark.TaskCpus;
import org.bratscv.jobs.spark.TaskProgress;
import org.bratscv.jobs.spark.TaskProgressAccumulator;
import org.bratscv.model.engine.DeviceChoice;
import org.bratscv.model.engine.GpuTurns;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.loss.SoftDiceLoss;
import org.bratscv.model.net.EquiUnet;
import org.bratscv.model.train.CaseCache;
import org.bratscv.model.train.EpochLog;
import org.bratscv.model.train.FoldTrainer;
import org.bratscv.model.train.PreparedCaseSamples;
import org.bratscv.model.train.TrainingConfig;
import org.bratscv.model.train.TrainingListener;
import org.bratscv.model.train.TrainingResult;
import org.bratscv.model.train.TrainingSeeds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The train stage: one Spark task per (variant, pipeline, fold). On a GPU cluster the tasks run
 * under a task resource profile of exactly one GPU each ({@link GpuScheduling#oneGpuPerTask}), and
 * each task trains on the GPU whose address Spark gave it; without GPU resources they run on the
 * CPU; either way a task holds {@code compute.train_cpus_per_task} cores and runs as many libtorch
 * threads ({@link TaskCpus}). Each task checkpoints to {@code train/<variant>/<pipeline>/fold<k>/}
 * after every epoch, so a retried task resumes where its predecessor stopped. A task's folder
 * records the fingerprint of what its model is made from ({@link #modelFingerprint}): a task whose
 * {@code final/} weights exist and were made from the same things is skipped, one made from
 * anything else is trained anew. Writes the training log and the models manifest ({@link
 * RunFolder}).
 */
public final class TrainStage {
  private static final Logger LOG = LoggerFactory.getLogger(TrainStage.class);

  /** One training task. */
  public record Task(String variant, String pipeline, int fold) implements Serializable {
    String label() {
      return variant + "/" + pipeline + "/fold" + fold;
    }
  }

  /**
   * @param pipelines the pipelines of each variant (in a cross-validation: one variant)
   * @param excluded per variant, training cases left out of every fold's training set (patient
   *     removal); validation sets are unchanged
   * @param caseFingerprints per case id, the fingerprint of its preprocessed files (from the case
   *     manifest): part of every model's fingerprint that trains or validates on the case
   */
  public record Settings(
      OutputRoot out,
      Map<String, Map<String, PipelineSettings>> pipelines,
      FoldSplit split,
      RunConfig.ComputeSettings compute,
      Map<String, Set<String>> excluded,
      Map<String, String> caseFingerprints)
      implements Serializable {
    public Settings(
        OutputRoot out,
        Map<String, Map<String, PipelineSettings>> pipelines,
        FoldSplit split,
        RunConfig.ComputeSettings compute) {
      this(out, pipelines, split, compute, Map.of(), Map.of());
    }

    /** The training cases of {@code fold} for {@code variant}. */
    List<String> trainCases(String variant, Fold fold) {
      Set<String> drop = excluded.getOrDefault(variant, Set.of());
      return fold.train().stream().filter(id -> !drop.contains(id)).toList();
    }
  }

  /** The models manifest and the training log. */
  public record Result(List<ModelRow> models, List<EpochRow> log) {
    public List<ModelRow> failed() {
      return models.stream().filter(m -> !m.isOk()).toList();
    }
  }

  /** What one task returns to the driver. */
  record Outcome(ModelRow model, List<EpochRow> log) implements Serializable {}

  /** Every (variant, pipeline, fold) of the settings, in a stable order. */
  public static List<Task> allTasks(Settings s) {
    List<Task> tasks = new ArrayList<>();
    for (Map.Entry<String, Map<String, PipelineSettings>> v : s.pipelines().entrySet()) {
      for (String p : v.getValue().keySet()) {
        for (Fold f : s.split().folds()) {
          tasks.add(new Task(v.getKey(), p, f.fold()));
        }
      }
    }
    return tasks;
  }

  /** The checkpoint folder of a task. */
  public static Path taskDir(OutputRoot out, Task t) {
    return new RunFolder(out).taskDir(t.variant(), t.pipeline(), t.fold());
  }

  /**
   * What a task's model is made from: its pipeline's normalisation, augmentation, network and
   * training settings (the seed among them), its fold, and its training and validation cases with
   * their fingerprints. The variant's name is not part of it: two variants with the same settings
   * make the same model.
   */
  public static Fingerprint modelFingerprint(Settings s, Task t) {
    PipelineSettings p = pipeline(s, t);
    Fold fold = s.split().fold(t.fold());
    return Fingerprint.builder()
        .add("normalization", p.normalization())
        .add("augmentation", p.augmentation())
        .add("network", p.network())
        .add("training", withoutBookkeeping(p.training()).fingerprintText())
        .addIf(p.training().hasOutputPrior(), "output_prior", p.training().outputPrior())
        .addIf(
            p.training().diceReduction() != SoftDiceLoss.Reduction.BATCH,
            "loss_reduction",
            p.training().diceReduction())
        .addIf(
            p.training().outputPriorFit() != TrainingConfig.PriorFit.BIAS,
            "output_prior_fit",
            p.training().outputPriorFit())
        .add("fold", t.fold())
        .addSet("train_cases", withFingerprints(s, s.trainCases(t.variant(), fold)))
        .addSet("val_cases", withFingerprints(s, fold.val()))
        .build();
  }

  /**
   * The training settings that shape the weights, with keep_checkpoints fixed at 1 (how many
   * checkpoints are kept does not shape them) and without the output prior, its fit and the Dice
   * reduction, which {@link #modelFingerprint} adds as their own ingredients only when they differ
   * from the method's: runs without them keep the fingerprints they had before the settings
   * existed.
   */
  private static TrainingConfig withoutBookkeeping(TrainingConfig t) {
    return new TrainingConfig(
        t.epochs(),
        t.batchSize(),
        t.patch(),
        t.inputChannels(),
        t.regions(),
        t.dice(),
        t.networkOutput(),
        t.optimizer(),
        t.schedule(),
        t.swa(),
        t.validateEvery(),
        t.finalWeights(),
        t.seed(),
        t.precision(),
        t.sizeDivisor(),
        1);
  }

  private static List<String> withFingerprints(Settings s, List<String> ids) {
    return ids.stream().map(id -> id + ":" + s.caseFingerprints().getOrDefault(id, "")).toList();
  }

  public Result run(SparkSession spark, Settings s, List<Task> tasks) throws IOException {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    TaskCpus cpus = TaskCpus.of(sc.getConf(), s.compute().trainCpusPerTask());
    List<Task> order = longestFirst(s, tasks);
    LOG.info(
        "train: {} tasks, the most work first ({}), {}, {}",
        tasks.size(),
        order.stream().map(Task::label).toList(),
        cpus.gpus() ? "one GPU each" : "compute.device " + s.compute().device(),
        cpus.describe());
    List<Outcome> outcomes;
    long totalEpochs = 0;
    for (Task t : tasks) {
      totalEpochs += pipeline(s, t).training().totalEpochs();
    }
    try (Progress progress = Progress.start(spark.sparkContext(), "train: epochs", totalEpochs)) {
      LongAccumulator epochsDone = progress.counter();
      TaskProgressAccumulator status = progress.tasks();
      JavaRDD<Task> rdd = sc.parallelize(order, Math.max(1, order.size()));
      rdd = cpus.schedule(rdd, 1.0); // a whole GPU per training task where there are GPUs
      sc.setJobDescription(
          "train " + tasks.size() + " models, " + totalEpochs + " epochs (progress: driver log)");
      List<Outcome> done = rdd.map(t -> trainOne(t, s, cpus, conf, epochsDone, status)).collect();
      // back in the given order, so the models manifest does not depend on the schedule
      Map<Task, Outcome> byTask = new HashMap<>();
      for (int i = 0; i < order.size(); i++) {
        byTask.put(order.get(i), done.get(i));
      }
      outcomes = tasks.stream().map(byTask::get).toList();
    }
    List<ModelRow> models = new ArrayList<>();
    List<EpochRow> log = new ArrayList<>();
    for (Outcome o : outcomes) {
      models.add(o.model());
      log.addAll(o.log());
    }
    log.sort(
        Comparator.comparing(EpochRow::getVariant)
            .thenComparing(EpochRow::getPipeline)
            .thenComparing(EpochRow::getFold)
            .thenComparing(EpochRow::getEpoch));
    write(spark, s.out(), models, log);
    for (ModelRow m : models) {
      if (!m.isOk()) {
        LOG.error(
            "train: {}/{}/fold{} failed: {}",
            m.getVariant(),
            m.getPipeline(),
            m.getFold(),
            m.getReason());
      }
    }
    return new Result(models, log);
  }

  /**
   * {@code tasks} in the order Spark should start them: the largest estimated work first, ties in
   * the given order. Spark hands out a stage's tasks in partition order, so a long task started
   * last would run on alone while the other slots idle; started first, the short ones fill the tail
   * (longest-processing-time-first). The estimate is {@link #estimatedWork}.
   */
  static List<Task> longestFirst(Settings s, List<Task> tasks) {
    List<Task> order = new ArrayList<>(tasks);
    order.sort(Comparator.comparingDouble((Task t) -> estimatedWork(s, t)).reversed());
    return order;
  }

  /**
   * A task's work up to a constant: total epochs (SWA included) x its training cases x patch voxels
   * x the network's width squared (a 3x3x3 convolution's cost per voxel grows with the square of
   * its channels). Deep-supervision heads, norms and validation are left out: the estimate only
   * ranks tasks.
   */
  static double estimatedWork(Settings s, Task t) {
    PipelineSettings p = pipeline(s, t);
    TrainingConfig.PatchSize patch = p.training().patch();
    double width = p.network().width();
    return (double) p.training().totalEpochs()
        * s.trainCases(t.variant(), s.split().fold(t.fold())).size()
        * ((double) patch.depth() * patch.height() * patch.width())
        * width
        * width;
  }

  private static PipelineSettings pipeline(Settings s, Task t) {
    return s.pipelines().get(t.variant()).get(t.pipeline());
  }

  /**
   * Trains (or resumes, or skips) one task; a failure becomes an error row, never an exception.
   * Completed epochs go to {@code epochsDone}, the task's epoch, step and loss to {@code status}.
   */
  static Outcome trainOne(
      Task t,
      Settings s,
      TaskCpus cpus,
      HadoopConf conf,
      LongAccumulator epochsDone,
      TaskProgressAccumulator status) {
    long t0 = System.nanoTime();
    PipelineSettings p = pipeline(s, t);
    ModelRow row = new ModelRow();
    row.setVariant(t.variant());
    row.setPipeline(t.pipeline());
    row.setFold(t.fold());
    row.setNormalization(p.normalization().name());
    row.setWidth(p.network().width());
    row.setNorm(p.network().norm().name().toLowerCase(Locale.ROOT));
    row.setDeepSupervision(p.network().deepSupervision());
    row.setAttention(p.network().attention());
    row.setFinalWeights(p.training().finalWeights().name().toLowerCase(Locale.ROOT));
    row.setEpochs(p.training().totalEpochs());
    row.setBestEpoch(-1);
    row.setResumedAfter(-1);
    String device = GpuScheduling.taskDevice();
    row.setDevice(device);
    row.setSparkGpu(device.startsWith("gpu:") ? device : "");
    Path dir = taskDir(s.out(), t);
    row.setCheckpoint(new Path(dir, FoldTrainer.FINAL).toString());
    row.setTrainCases(s.trainCases(t.variant(), s.split().fold(t.fold())).size());
    Fingerprint fingerprint = modelFingerprint(s, t);
    row.setFingerprint(fingerprint.hash());
    try {
      FileSystem fs = dir.getFileSystem(conf.get());
      keepOnlyIfMadeFrom(fs, dir, fingerprint, t);
      HadoopCheckpointStore store = new HadoopCheckpointStore(fs, dir);
      Path taskLog = new Path(dir, RunFolder.TASK_LOG);
      if (hasFinalModel(fs, dir)) {
        List<EpochRow> log = readTaskLog(fs, taskLog);
        epochsDone.add(log.size());
        status.add(TaskProgress.started(t.label(), log.size(), p.training().totalEpochs()));
        row.setStatus("ok");
        row.setReason("");
        row.setResumedAfter(log.size() - 1);
        row.setSeconds((System.nanoTime() - t0) / 1e9);
        return new Outcome(row, log);
      }
      Fold fold = s.split().fold(t.fold());
      TorchEngine engine = TorchEngine.start(cpus.engine());
      Device dev = DeviceChoice.resolve(s.compute().device(), device, engine.gpuCount());
      row.setDevice(deviceName(dev));
      OutputRoot out = s.out();
      NiftiReader reader = NiftiReader.withDefaults();
      PreparedCaseSamples.CaseLoader loader =
          new CaseCache(
              id ->
                  PreparedCaseFiles.read(
                      fs,
                      PreparedCaseFiles.caseDir(out, id),
                      EnumSet.of(p.normalization()),
                      reader),
              s.compute().caseCacheBytes());
      List<String> trainCases = s.trainCases(t.variant(), fold);
      if (trainCases.isEmpty()) {
        throw new IllegalStateException("fold " + t.fold() + " has no training case left");
      }
      LabelScheme scheme =
          LabelScheme.parse(
              PreparedCaseFiles.readRecord(fs, PreparedCaseFiles.caseDir(out, trainCases.get(0)))
                  .labelScheme());
      PreparedCaseSamples samples =
          new PreparedCaseSamples(
              loader, p.normalization(), scheme, p.augmentationOrNull(), patchDims(p));
      TrainingResult result;
      // on a one-GPU workstation (local mode) the folds take turns on the card
      try (TaskCpus.Turn cores = cpus.take();
          GpuTurns.Turn turn = GpuTurns.take(dev);
          NDManager manager = NDManager.newBaseManager(dev, engine.engine().getEngineName())) {
        EquiUnet net = p.network().build();
        net.initialize(manager, new TrainingSeeds(p.training().seed(), t.fold()).initSeed());
        FoldTrainer trainer =
            new FoldTrainer(
                p.training(),
                t.fold(),
                net,
                manager,
                samples,
                store,
                listener(t, p, epochsDone, status, fs, taskLog));
        result = trainer.train(trainCases, fold.val());
      }
      List<EpochRow> log = new ArrayList<>();
      for (EpochLog l : result.history()) {
        log.add(EpochRow.of(t.variant(), t.pipeline(), t.fold(), l));
      }
      // the listener wrote it after each epoch; again here for a task resumed after its last epoch
      EpochRow.TABLE.writeCsv(fs, taskLog, log);
      row.setStatus("ok");
      row.setReason("");
      row.setBestEpoch(result.bestEpoch());
      row.setResumedAfter(result.resumedAfter());
      row.setSeconds((System.nanoTime() - t0) / 1e9);
      return new Outcome(row, log);
    } catch (Exception | OutOfMemoryError e) {
      row.setStatus("error");
      row.setReason(t.label() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      row.setSeconds((System.nanoTime() - t0) / 1e9);
      LOG.error("train {} failed", t.label(), e);
      return new Outcome(row, List.of());
    }
  }

  /** Whether a task's folder holds its final weights and its epoch log: training is complete. */
  static boolean hasFinalModel(FileSystem fs, Path dir) throws IOException {
    return new HadoopCheckpointStore(fs, dir).exists(FoldTrainer.FINAL + "/manifest.json")
        && fs.exists(new Path(dir, RunFolder.TASK_LOG));
  }

  /**
   * Whether a run would keep task {@code t}'s model as it is: its folder was made from exactly the
   * model's fingerprint ({@link #keepOnlyIfMadeFrom}) and holds the final weights. Read-only, for
   * {@code brats-cv check}.
   */
  public static boolean isDone(FileSystem fs, Settings s, Task t) throws IOException {
    Path dir = taskDir(s.out(), t);
    Path file = RunFolder.fingerprintOf(dir);
    if (!fs.exists(file)) {
      return false;
    }
    Fingerprint earlier;
    try {
      earlier = Fingerprint.read(fs, file);
    } catch (IOException e) {
      return false;
    }
    return earlier != null
        && earlier.hash().equals(modelFingerprint(s, t).hash())
        && hasFinalModel(fs, dir);
  }

  /**
   * Keeps a task's folder (final weights, or checkpoints to resume from) only when its {@code
   * fingerprint.json} says it was made from exactly {@code fingerprint}; otherwise (other settings,
   * other cases, a folder of an older brats-cv) deletes it, so the model is trained anew, and
   * records the new fingerprint before any checkpoint is written.
   */
  static void keepOnlyIfMadeFrom(FileSystem fs, Path dir, Fingerprint fingerprint, Task t)
      throws IOException {
    Path file = RunFolder.fingerprintOf(dir);
    Fingerprint earlier;
    try {
      earlier = Fingerprint.read(fs, file);
    } catch (IOException e) {
      earlier = null; // unreadable: as good as none
    }
    if (earlier != null && earlier.hash().equals(fingerprint.hash())) {
      return;
    }
    if (fs.exists(dir) && fs.listStatus(dir).length > 0) {
      LOG.info(
          "train {}: training anew, the existing model was made from other inputs: {}",
          t.label(),
          String.join("; ", fingerprint.differences(earlier)));
      fs.delete(dir, true);
    }
    fingerprint.write(fs, file);
  }

  private static org.bratscv.data.volume.Dims patchDims(PipelineSettings p) {
    var patch = p.training().patch();
    return new org.bratscv.data.volume.Dims(patch.width(), patch.height(), patch.depth());
  }

  /**
   * Logs each epoch on the executor, reports epochs to {@code epochs} and every step to {@code
   * status} (the driver sees both with the next heartbeat), and rewrites the task's {@code log.csv}
   * after every epoch, so a report during the training shows the curves so far. A resumed task
   * starts that log from the checkpoint's history: each epoch appears once.
   */
  static TrainingListener listener(
      Task t,
      PipelineSettings p,
      LongAccumulator epochs,
      TaskProgressAccumulator status,
      FileSystem fs,
      Path taskLog) {
    int total = p.training().totalEpochs();
    long start = System.nanoTime();
    status.add(TaskProgress.started(t.label(), 0, total));
    return new TrainingListener() {
      private int resumedAfter = -1;
      private TaskProgress now = TaskProgress.started(t.label(), 0, total);
      private final List<EpochRow> rows = new ArrayList<>();

      private double seconds() {
        return (System.nanoTime() - start) / 1e9;
      }

      @Override
      public void onResume(int completedEpoch, List<EpochLog> history) {
        resumedAfter = completedEpoch;
        epochs.add(completedEpoch + 1);
        now = TaskProgress.started(t.label(), completedEpoch + 1, total);
        status.add(now);
        rows.clear();
        for (EpochLog l : history) {
          rows.add(EpochRow.of(t.variant(), t.pipeline(), t.fold(), l));
        }
        LOG.info("train {}: resuming after epoch {} of {}", t.label(), completedEpoch + 1, total);
      }

      @Override
      public void onStep(int epoch, int step, int stepsPerEpoch, double loss) {
        now = now.step(step, stepsPerEpoch, loss, seconds());
        status.add(now);
      }

      @Override
      public void onEpoch(EpochLog l) {
        rows.add(EpochRow.of(t.variant(), t.pipeline(), t.fold(), l));
        try {
          EpochRow.TABLE.writeCsv(fs, taskLog, rows);
        } catch (IOException e) {
          // the log is rewritten at the task's end; a lost flush only delays a report's curves
          LOG.warn("train {}: cannot write {} after epoch {}", t.label(), taskLog, l.epoch(), e);
        }
        epochs.add(1);
        now = now.epochEnded(l.epoch(), seconds());
        status.add(now);
        int done = l.epoch() - resumedAfter;
        double perEpoch = seconds() / Math.max(1, done);
        LOG.info(
            "train {}: epoch {}/{} ({}) loss {}{} lr {} {} s/epoch, ETA {} s",
            t.label(),
            l.epoch() + 1,
            total,
            l.phase(),
            String.format(Locale.ROOT, "%.4f", l.trainLoss()),
            l.validated()
                ? String.format(
                    Locale.ROOT,
                    ", val loss %.4f, Dice ET %.3f TC %.3f WT %.3f",
                    l.validationLoss(),
                    l.diceEt(),
                    l.diceTc(),
                    l.diceWt())
                : "",
            String.format(Locale.ROOT, "%.2e", l.learningRate()),
            String.format(Locale.ROOT, "%.1f", perEpoch),
            Math.round(perEpoch * (total - l.epoch() - 1)));
      }
    };
  }

  static List<EpochRow> readTaskLog(FileSystem fs, Path file) throws IOException {
    return EpochRow.TABLE.read(fs, file);
  }

  private static void write(
      SparkSession spark, OutputRoot out, List<ModelRow> models, List<EpochRow> log)
      throws IOException {
    RunFolder f = new RunFolder(out);
    FileSystem fs = out.fileSystem(spark.sparkContext().hadoopConfiguration());
    EpochRow.TABLE.write(spark, fs, f.trainLogParquet(), f.trainLogCsv(), log);
    ModelRow.TABLE.write(spark, fs, f.modelsParquet(), f.modelsCsv(), models);
    // a lost executor's task leaves the checkpoint file it was writing; its retry never sees it
    OutputRoot.removeTemporaries(fs, f.trainDir(), true);
  }

  /** A device as the models manifest records it: {@code cpu} or {@code gpu:N}. */
  static String deviceName(Device d) {
    return d.isGpu() ? "gpu:" + d.getDeviceId() : "cpu";
  }
}
