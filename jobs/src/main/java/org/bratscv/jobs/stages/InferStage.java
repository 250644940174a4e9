package org.bratscv.jobs.stages;

import ai.djl.Device;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.bratscv.data.labels.BrainMask;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.RegionLabelmap;
import org.bratscv.data.labels.TwoPassMerge;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.preprocess.BrainCrop;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.NetworkSettings;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.CaseFingerprints;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.spark.GpuScheduling;
import org.bratscv.jobs.spark.Progress;
import org.bratscv.jobs.spark.TaskCpus;
import org.bratscv.model.engine.DeviceChoice;
import org.bratscv.model.engine.TorchEngine;
import org.bratscv.model.infer.Ensemble;
import org.bratscv.model.infer.Precision;
import org.bratscv.model.infer.TestTimeAugmentation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The infer stage: Spark tasks over groups of cases. For each case and pipeline, the pipeline's
 * models (all folds' for an ensemble, the held-out fold's for out-of-fold scoring) each predict
 * under the 16 test-time augmentations; the probabilities are averaged (5 folds x 16 = 80
 * predictions per pipeline), thresholded into a labelmap, merged across two pipelines by the second
 * pass, put back into the case's original geometry and written as NIfTI with the geometry of the
 * case's T1 file, so it overlays in 3D Slicer: {@code <root>/predictions/<set>/<case>.nii.gz} with
 * sets {@code <prefix>-<pipeline>} and {@code <prefix>-merged}, each with its three uncertainty
 * maps (BraTS 2020 uncertainty task format, {@link UncertaintyFiles}) in {@code
 * <set>/uncertainty/}: from the set's pipeline's averaged probabilities, for the merged set from
 * the mean of the merged pipelines'. Executors keep loaded models ({@link LoadedModels}). A case
 * whose outputs all exist and were made from the same settings, models and input ({@link
 * #caseFingerprint}, recorded per prefix) is skipped; one made from anything else is predicted
 * again.
 */
public final class InferStage {
  private static final Logger LOG = LoggerFactory.getLogger(InferStage.class);

  /**
   * A model of the ensemble: the variant that trained it, its pipeline, fold, checkpoint folder and
   * network.
   *
   * @param fingerprint what the model was made from (the models manifest's column; empty when
   *     unknown)
   */
  public record Member(
      String variant,
      String pipeline,
      int fold,
      String taskDir,
      Normalization normalization,
      NetworkSettings network,
      String fingerprint)
      implements Serializable {
    String label() {
      return pipeline + "/fold" + fold;
    }

    /** Its name in the ensemble: unique also where the members come from several variants. */
    String name() {
      return variant + ":" + pipeline + "-fold" + fold;
    }
  }

  /**
   * One case to segment.
   *
   * @param caseDir its preprocessed folder
   * @param members per pipeline, the models that vote on this case
   * @param caseFingerprint what the preprocessed case was made from (case manifest)
   */
  public record CaseJob(
      String caseId, String caseDir, Map<String, List<Member>> members, String caseFingerprint)
      implements Serializable {}

  /**
   * @param root where {@code predictions/} goes
   * @param prefix labelmap set prefix ({@code oof} or {@code test})
   * @param labeling how the members' outputs become labelmaps (a fingerprint ingredient)
   * @param selection the fingerprint of the selection the members come from (a sweep's {@code
   *     ensemble.csv}), or empty for all models of one variant
   * @param ttaBatchBytes the memory budget of one forward pass's batch of augmented copies ({@code
   *     ensemble.tta_batch_bytes}); not a fingerprint ingredient: it changes the probabilities only
   *     by float rounding
   */
  public record Settings(
      OutputRoot root,
      String prefix,
      Labeling labeling,
      int casesPerTask,
      int engineThreads,
      double gpuShare,
      String selection,
      String device,
      long ttaBatchBytes)
      implements Serializable {
    /**
     * Settings whose tasks choose their device themselves ({@code compute.device: auto}) and run
     * the augmentations one at a time.
     */
    public Settings(
        OutputRoot root,
        String prefix,
        Labeling labeling,
        int casesPerTask,
        int engineThreads,
        double gpuShare,
        String selection) {
      this(
          root,
          prefix,
          labeling,
          casesPerTask,
          engineThreads,
          gpuShare,
          selection,
          DeviceChoice.AUTO,
          0L);
    }
  }

  /**
   * One written (or failed) labelmap.
   *
   * @param hasLabel whether the case has a ground truth to score the labelmap against
   * @param fingerprint what made the labelmap ({@link #caseFingerprint})
   */
  public record Prediction(
      String labelmapSet,
      String caseId,
      String file,
      String caseDir,
      boolean hasLabel,
      String error,
      double seconds,
      String fingerprint)
      implements Serializable {
    public boolean ok() {
      return error == null;
    }

    /** The index row of a labelmap; the case folder is not in the index. */
    static Prediction listed(
        String set, String caseId, String file, boolean hasLabel, String fingerprint) {
      return new Prediction(set, caseId, file, "", hasLabel, null, 0, fingerprint);
    }
  }

  /** {@code predictions/<prefix>-index.csv}: one row per labelmap of a prefix's sets. */
  public static final Table<Prediction> INDEX =
      Table.<Prediction>builder("prediction index")
          .column("labelmap_set", Prediction::labelmapSet)
          .column("case_id", Prediction::caseId)
          .column("status", p -> p.ok() ? "ok" : "error")
          .column("reason", p -> p.ok() ? "" : p.error())
          .column("file", Prediction::file)
          .column("has_label", p -> Boolean.toString(p.hasLabel()))
          .column("fingerprint", Prediction::fingerprint)
          .column(
              "uncertainty",
              p ->
                  p.ok() && !p.file().isEmpty()
                      ? RunFolder.uncertaintyDir(new Path(p.file()).getParent()).toString()
                      : "")
          .optReader(
              r ->
                  new Prediction(
                      r.text("labelmap_set"),
                      r.text("case_id"),
                      r.text("file"),
                      "",
                      r.bool("has_label"),
                      "ok".equals(r.text("status")) ? null : r.text("reason"),
                      0,
                      r.text("fingerprint", "")))
          .build();

  /**
   * The settings every labelmap of a prefix shares: the labeling, the selection of the members and
   * the uncertainty maps' measure.
   */
  static Fingerprint settingsFingerprint(Settings s) {
    return ensembleSettings(s.labeling(), s.selection())
        .add("uncertainty", UNCERTAINTY_MEASURE)
        .build();
  }

  /**
   * The uncertainty maps' measure ({@link org.bratscv.data.uncertainty.UncertaintyMaps}); a
   * fingerprint ingredient of every labelmap set, so maps of another measure are made again.
   */
  static final String UNCERTAINTY_MEASURE = "binary entropy of the mean probability, bits x 100";

  /**
   * The labeling as fingerprint ingredients; with {@code selection} (not empty), also the selection
   * and scores its members were chosen by, so a new selection predicts again even where it picks
   * the same models under other scores. The brain mask is an ingredient only where it is on, so
   * labelmaps made before it existed stay valid.
   */
  static Fingerprint.Builder ensembleSettings(Labeling labeling, String selection) {
    Fingerprint.Builder b =
        Fingerprint.builder()
            .add("tta", labeling.tta())
            .add("threshold", labeling.threshold())
            .add("merge", labeling.merge())
            .add("precision", labeling.precision());
    if (labeling.brainMask()) {
      b.add("brain_mask", true);
    }
    if (selection != null && !selection.isEmpty()) {
      b.add("selection", selection);
    }
    return b;
  }

  /** "pipeline/fold:fingerprint" of every member, the models part of a fingerprint. */
  static List<String> memberFingerprints(Map<String, List<Member>> members) {
    List<String> out = new ArrayList<>();
    members.values().forEach(ms -> ms.forEach(m -> out.add(m.label() + ":" + m.fingerprint())));
    return out;
  }

  /**
   * What makes one case's labelmaps: the shared settings, the case's preprocessed input and every
   * model that votes on it.
   */
  static Fingerprint caseFingerprint(Fingerprint settings, CaseJob job) {
    return Fingerprint.builder()
        .add("settings", settings.hash())
        .add("case", job.caseFingerprint())
        .addSet("models", memberFingerprints(job.members()))
        .build();
  }

  /** The labelmap sets this configuration writes. */
  public static List<String> sets(Settings s, Set<String> pipelines) {
    List<String> out = new ArrayList<>();
    for (String p : pipelines) {
      out.add(s.prefix() + "-" + p);
    }
    if (!s.labeling().merge().isEmpty()) {
      out.add(s.prefix() + "-merged");
    }
    return out;
  }

  public List<Prediction> run(SparkSession spark, Settings s, List<CaseJob> jobs)
      throws IOException {
    if (jobs.isEmpty()) {
      return List.of();
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    FileSystem fs = s.root().fileSystem(sc.hadoopConfiguration());
    forgetStale(fs, s, jobs);
    List<Prediction> out;
    try (Progress p =
        Progress.start(spark.sparkContext(), "infer " + s.prefix() + ": cases", jobs.size())) {
      LongAccumulator done = p.counter();
      int slices = Math.max(1, (jobs.size() + s.casesPerTask() - 1) / s.casesPerTask());
      JavaRDD<CaseJob> rdd = sc.parallelize(jobs, slices);
      TaskCpus cpus = TaskCpus.of(sc.getConf(), s.engineThreads());
      rdd = cpus.schedule(rdd, s.gpuShare());
      sc.setJobDescription("infer " + s.prefix() + " " + jobs.size() + " cases");
      out =
          rdd.mapPartitions((Iterator<CaseJob> it) -> segmentAll(it, s, cpus, conf, done))
              .collect();
    }
    List<Prediction> sorted = new ArrayList<>(out);
    sorted.sort(Comparator.comparing(Prediction::labelmapSet).thenComparing(Prediction::caseId));
    RunFolder f = new RunFolder(s.root());
    INDEX.writeCsv(fs, f.predictionIndex(s.prefix()), sorted);
    Path firstCase = new Path(jobs.get(0).caseDir());
    LabelScheme scheme =
        LabelScheme.parse(
            PreparedCaseFiles.readRecord(firstCase.getFileSystem(conf.get()), firstCase)
                .labelScheme());
    for (String set :
        sorted.stream().filter(Prediction::ok).map(Prediction::labelmapSet).distinct().toList()) {
      ColourTableFiles.write(fs, f.predictionSet(set), scheme);
    }
    OutputRoot.removeTemporaries(fs, f.predictionsDir(), true);
    long failed = sorted.stream().filter(x -> !x.ok()).count();
    LOG.info("infer {}: {} labelmaps, {} failed", s.prefix(), sorted.size() - failed, failed);
    return sorted;
  }

  /**
   * Deletes the labelmaps of the cases whose fingerprint differs from the one recorded when they
   * were written (other TTA, threshold, merge or precision; retrained models; a case preprocessed
   * again), so that they are predicted again and no stale labelmap is kept; then records the new
   * fingerprints, before any task writes.
   */
  private static void forgetStale(FileSystem fs, Settings s, List<CaseJob> jobs)
      throws IOException {
    RunFolder f = new RunFolder(s.root());
    Path recordFile = f.predictionFingerprints(s.prefix());
    CaseFingerprints earlier = CaseFingerprints.read(fs, recordFile);
    Fingerprint settings = settingsFingerprint(s);
    Map<String, String> now = new LinkedHashMap<>();
    List<String> stale = new ArrayList<>();
    for (CaseJob job : jobs) {
      String fp = caseFingerprint(settings, job).hash();
      now.put(job.caseId(), fp);
      String was = earlier == null ? null : earlier.cases().get(job.caseId());
      if (fp.equals(was)) {
        continue;
      }
      boolean existed = false;
      for (String set : sets(s, job.members().keySet())) {
        Path target = target(s, set, job.caseId());
        existed |= fs.exists(target) && fs.delete(target, false);
        existed |= UncertaintyFiles.delete(fs, target);
      }
      if (existed) {
        stale.add(job.caseId());
      }
    }
    if (!stale.isEmpty()) {
      String why =
          earlier == null
              ? "no record of what made them"
              : earlier.settings().hash().equals(settings.hash())
                  ? "their models or preprocessed inputs changed"
                  : String.join("; ", settings.differences(earlier.settings()));
      LOG.info(
          "infer {}: {} cases are predicted again ({}): {}", s.prefix(), stale.size(), why, stale);
    }
    CaseFingerprints record =
        earlier == null ? new CaseFingerprints(settings, now) : earlier.with(settings, now);
    record.write(fs, recordFile);
  }

  private static Iterator<Prediction> segmentAll(
      Iterator<CaseJob> jobs, Settings s, TaskCpus cpus, HadoopConf conf, LongAccumulator done)
      throws IOException, InterruptedException {
    Device device = taskDevice(cpus, s.device());
    FileSystem outFs = s.root().fileSystem(conf.get());
    NiftiReader reader = NiftiReader.withDefaults();
    List<Prediction> out = new ArrayList<>();
    try (TaskCpus.Turn cores = cpus.take()) {
      while (jobs.hasNext()) {
        out.addAll(segment(jobs.next(), s, conf, outFs, reader, device));
        done.add(1);
      }
    }
    return out.iterator();
  }

  /**
   * Starts libtorch in this task's JVM with the task's CPUs as intra-op threads ({@link
   * TaskCpus#engine}) and returns the device the task should use ({@link DeviceChoice#resolve}):
   * the GPU Spark gave it, else what {@code setting} ({@code compute.device}) says.
   */
  static Device taskDevice(TaskCpus cpus, String setting) {
    TorchEngine engine = TorchEngine.start(cpus.engine());
    return DeviceChoice.resolve(setting, GpuScheduling.taskDevice(), engine.gpuCount());
  }

  static Path target(Settings s, String set, String caseId) {
    return new RunFolder(s.root()).prediction(set, caseId);
  }

  /** Segments one case; problems become failed predictions of that case only. */
  static List<Prediction> segment(
      CaseJob job,
      Settings s,
      HadoopConf conf,
      FileSystem outFs,
      NiftiReader reader,
      Device device) {
    long t0 = System.nanoTime();
    List<String> sets = sets(s, job.members().keySet());
    String fingerprint = caseFingerprint(settingsFingerprint(s), job).hash();
    List<Prediction> out = new ArrayList<>();
    boolean hasLabel = false;
    try {
      Path caseDir = new Path(job.caseDir());
      CaseRecord record = PreparedCaseFiles.readRecord(outFs, caseDir);
      hasLabel = record.hasLabel();
      boolean complete = true;
      for (String set : sets) {
        Path target = target(s, set, job.caseId());
        complete &= outFs.exists(target) && UncertaintyFiles.complete(outFs, target);
      }
      if (complete) {
        for (String set : sets) {
          out.add(
              new Prediction(
                  set,
                  job.caseId(),
                  target(s, set, job.caseId()).toString(),
                  job.caseDir(),
                  hasLabel,
                  null,
                  0,
                  fingerprint));
        }
        return out;
      }
      Set<Normalization> needed = EnumSet.noneOf(Normalization.class);
      job.members().values().forEach(ms -> ms.forEach(m -> needed.add(m.normalization())));
      PreparedCase pc = PreparedCaseFiles.read(outFs, caseDir, needed, reader);
      LabelScheme scheme = LabelScheme.parse(record.labelScheme());
      NiftiHeader t1 = readHeader(record.t1File(), conf, reader);
      Map<String, MultiChannelVolume> probabilities = new LinkedHashMap<>();
      Map<String, LabelVolume> labels =
          predict(
              pc,
              scheme,
              job.members(),
              s.labeling(),
              s.ttaBatchBytes(),
              conf,
              device,
              probabilities);
      NiftiHeader like = NiftiHeader.like(t1, NiftiDataType.UINT8);
      NiftiWriter writer = NiftiWriter.withDefaults();
      double seconds = (System.nanoTime() - t0) / 1e9;
      for (Map.Entry<String, LabelVolume> e : labels.entrySet()) {
        String set = s.prefix() + "-" + e.getKey();
        Path target = target(s, set, job.caseId());
        LabelVolume l = e.getValue();
        // the merged set's maps come from the mean of the merged pipelines' probabilities
        MultiChannelVolume p =
            e.getKey().equals("merged")
                ? SegmentStage.mean(s.labeling().merge().stream().map(probabilities::get).toList())
                : probabilities.get(e.getKey());
        UncertaintyFiles.write(outFs, target, p, like, writer);
        // the labelmap last: its presence marks the case complete
        OutputRoot.writeAtomically(outFs, target, o -> writer.write(o, true, l, like));
        out.add(
            new Prediction(
                set,
                job.caseId(),
                target.toString(),
                job.caseDir(),
                hasLabel,
                null,
                seconds,
                fingerprint));
      }
      return out;
    } catch (Exception | OutOfMemoryError e) {
      String reason =
          "case " + job.caseId() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
      LOG.error("infer {}", reason, e);
      out.clear();
      for (String set : sets) {
        out.add(
            new Prediction(
                set,
                job.caseId(),
                "",
                job.caseDir(),
                hasLabel,
                reason,
                (System.nanoTime() - t0) / 1e9,
                fingerprint));
      }
      return out;
    }
  }

  /**
   * The labelmaps of one prepared case in its original geometry: per pipeline (its models' averaged
   * probabilities under the test-time augmentations, thresholded) and, with {@code merge}, the
   * second pass as {@code "merged"}. With the labeling's brain mask, the averaged maps are set to 0
   * outside the brain before thresholding ({@link BrainMask}, from the inputs of every pipeline of
   * the ensemble, so the same mask for each).
   *
   * @param ttaBatchBytes the memory budget of one batch of augmented copies ({@link
   *     Ensemble.Builder#optBatchBytes})
   * @param probabilities when not null, receives each pipeline's averaged ET/TC/WT probabilities in
   *     the original geometry
   */
  static Map<String, LabelVolume> predict(
      PreparedCase pc,
      LabelScheme scheme,
      Map<String, List<Member>> members,
      Labeling labeling,
      long ttaBatchBytes,
      HadoopConf conf,
      Device device,
      Map<String, MultiChannelVolume> probabilities)
      throws IOException {
    BrainCrop crop = pc.crop();
    Precision precision = labeling.precision();
    // each normalisation's padded input is made once per case: with the brain mask all of them
    // first (the mask needs them all), without it each when its pipeline's first member needs it
    Map<Normalization, MultiChannelVolume> paddedInputs = new LinkedHashMap<>();
    boolean[] brain = null;
    if (labeling.brainMask()) {
      members
          .values()
          .forEach(
              ms ->
                  ms.forEach(
                      m ->
                          paddedInputs.computeIfAbsent(
                              m.normalization(), n -> crop.padCropped(pc.image(n)))));
      brain = BrainMask.of(paddedInputs.values());
    }
    Map<String, LabelVolume> labels = new LinkedHashMap<>();
    for (Map.Entry<String, List<Member>> e : members.entrySet()) {
      Ensemble.Builder b =
          Ensemble.builder()
              .optDevice(device)
              .optPrecision(precision.on(device))
              .optBatchBytes(ttaBatchBytes)
              .optAugmentations(
                  labeling.tta() == 16 ? TestTimeAugmentation.all() : TestTimeAugmentation.none());
      Map<String, MultiChannelVolume> inputs = new LinkedHashMap<>();
      for (Member m : e.getValue()) {
        Path taskDir = new Path(m.taskDir());
        b.addMember(
            m.name(),
            LoadedModels.get(
                taskDir.getFileSystem(conf.get()),
                taskDir,
                m.network(),
                device,
                precision.on(device)),
            m.normalization().name());
        Normalization n = m.normalization();
        MultiChannelVolume shared = paddedInputs.get(n);
        inputs.computeIfAbsent(
            n.name(), k -> shared != null ? shared : crop.padCropped(pc.image(n)));
      }
      MultiChannelVolume probs = b.build().predict(inputs);
      if (brain != null) {
        probs = BrainMask.restrict(probs, brain);
      }
      LabelVolume padded = RegionLabelmap.fromProbabilities(probs, scheme, labeling.threshold());
      labels.put(e.getKey(), crop.restore(padded));
      if (probabilities != null) {
        probabilities.put(e.getKey(), crop.restore(probs));
      }
    }
    List<String> merge = labeling.merge();
    if (!merge.isEmpty()) {
      List<String> unmade = merge.stream().filter(p -> !labels.containsKey(p)).toList();
      if (unmade.isEmpty()) {
        labels.put(
            "merged",
            TwoPassMerge.merge(labels.get(merge.get(0)), labels.get(merge.get(1)), scheme));
      } else {
        // every model of a merged pipeline failed to train: the other pipelines' labelmaps stand
        LOG.warn(
            "case {}: no merged labelmap: ensemble.merge {} needs pipeline(s) {}, which have no"
                + " model in this ensemble (their training failed: train/models.csv says why)",
            pc.caseId(),
            merge,
            unmade);
      }
    }
    return labels;
  }

  static NiftiHeader readHeader(String file, HadoopConf conf, NiftiReader reader)
      throws IOException {
    Path p = new Path(file);
    FileSystem fs = p.getFileSystem(conf.get());
    try (InputStream in = fs.open(p)) {
      return reader.readHeader(in, p.getName(), fs.getFileStatus(p).getLen());
    }
  }
}
