package org.bratscv.jobs.stages;

import ai.djl.Device;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.bratscv.data.cases.BratsCase;
import org.bratscv.data.cases.CaseDiscovery;
import org.bratscv.data.cases.DiscoveryProblem;
import org.bratscv.data.cases.Modality;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.nifti.NiftiDataType;
import org.bratscv.data.nifti.NiftiHeader;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.nifti.NiftiWriter;
import org.bratscv.data.preprocess.InvalidCaseException;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.data.preprocess.PreparedCase;
import org.bratscv.data.volume.Geometry;
import org.bratscv.data.volume.LabelVolume;
import org.bratscv.data.volume.MultiChannelVolume;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.io.HadoopCaseStore;
import org.bratscv.jobs.io.HadoopConf;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputException;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.run.Table;
import org.bratscv.jobs.spark.Progress;
import org.bratscv.jobs.spark.TaskCpus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk segmentation of an archive with a trained ensemble. The driver discovers the cases (paths
 * only), lists what earlier runs finished, and sends the rest through Spark tasks of a few cases
 * each: every case is read, checked, cropped and normalised in memory (nothing intermediate is
 * written), segmented by the ensemble (the pipelines' models x test-time augmentations, then the
 * second pass), and written in its original geometry with the header of its T1 file:
 *
 * <pre>
 * labelmaps/&lt;case&gt;.nii.gz        the labelmap (merged when the ensemble has two pipelines)
 * probabilities/&lt;case&gt;.nii.gz    optional: float32 (x, y, z, 3) ET, TC, WT, mean of the pipelines
 * labelmaps/uncertainty/&lt;case&gt;_unc_{whole,core,enhance}.nii.gz  optional: uint8 0..100 maps
 *                                 from the same mean probabilities (0 = certain)
 * segment.csv                     case_id,status,reason,labelmap,probabilities,seconds,fingerprint
 * fingerprint.json                the ensemble and settings the folder's labelmaps are made by
 * </pre>
 *
 * A case whose outputs exist is skipped (its row says {@code done}), so an interrupted run resumes;
 * but a folder whose labelmaps another ensemble or other settings made is not silently extended:
 * {@link StaleOutputs} decides (by default the run stops and names the difference). a case that
 * fails becomes an {@code error} row naming the file and the problem, and the others go on.
 * Progress (done/total, rate, ETA) is logged while it runs.
 */
public final class SegmentStage {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentStage.class);
  static final String SUFFIX = RunFolder.NIFTI_GZ;

  /**
   * @param members per pipeline, the models of the ensemble
   * @param labelScheme the archive's labels, or null for each case layout's own
   * @param labeling how the members' outputs become labelmaps (the ensemble's own, or what the
   *     command line sets); in the fingerprint
   * @param probabilities also write the probability maps
   * @param uncertainty also write the three uncertainty maps (BraTS 2020 uncertainty task format)
   * @param selection the fingerprint of the selection the members come from (a sweep root's {@code
   *     ensemble.csv}), or empty
   * @param ttaBatchBytes the memory budget of one forward pass's batch of augmented copies ({@code
   *     --tta-batch-bytes}); not in the fingerprint: it changes outputs only by float rounding
   */
  public record Settings(
      String archive,
      OutputRoot out,
      Map<String, List<InferStage.Member>> members,
      LabelScheme labelScheme,
      Labeling labeling,
      boolean probabilities,
      boolean uncertainty,
      int casesPerTask,
      int engineThreads,
      double gpuShare,
      long maxVoxelBytes,
      StaleOutputs stale,
      String selection,
      String device,
      long ttaBatchBytes)
      implements Serializable {
    /**
     * Settings whose tasks choose their device themselves ({@code --device auto}) and run the
     * augmentations one at a time.
     */
    public Settings(
        String archive,
        OutputRoot out,
        Map<String, List<InferStage.Member>> members,
        LabelScheme labelScheme,
        Labeling labeling,
        boolean probabilities,
        boolean uncertainty,
        int casesPerTask,
        int engineThreads,
        double gpuShare,
        long maxVoxelBytes,
        StaleOutputs stale,
        String selection) {
      this(
          archive,
          out,
          members,
          labelScheme,
          labeling,
          probabilities,
          uncertainty,
          casesPerTask,
          engineThreads,
          gpuShare,
          maxVoxelBytes,
          stale,
          selection,
          org.bratscv.model.engine.DeviceChoice.AUTO,
          0L);
    }

    Set<Normalization> normalizations() {
      Set<Normalization> out = EnumSet.noneOf(Normalization.class);
      members.values().forEach(ms -> ms.forEach(m -> out.add(m.normalization())));
      return out;
    }
  }

  /**
   * One case's outcome: {@code ok} (segmented now), {@code done} (by an earlier run) or {@code
   * error}.
   */
  public record Row(
      String caseId,
      String status,
      String reason,
      String labelmap,
      String probabilities,
      double seconds,
      String fingerprint)
      implements Serializable {
    public boolean failed() {
      return status.equals("error");
    }

    Row madeBy(String ensemble) {
      return new Row(caseId, status, reason, labelmap, probabilities, seconds, ensemble);
    }
  }

  /** {@code segment.csv}: one row per case; the fingerprint of the ensemble that made it. */
  public static final Table<Row> TABLE =
      Table.<Row>builder("segment manifest")
          .column("case_id", Row::caseId)
          .column("status", Row::status)
          .column("reason", Row::reason)
          .column("labelmap", Row::labelmap)
          .column("probabilities", Row::probabilities)
          .column("seconds", r -> String.format(java.util.Locale.ROOT, "%.2f", r.seconds()))
          .column("fingerprint", Row::fingerprint)
          .optReader(
              r ->
                  new Row(
                      r.text("case_id"),
                      r.text("status"),
                      r.text("reason"),
                      r.text("labelmap"),
                      r.text("probabilities"),
                      r.number("seconds"),
                      r.text("fingerprint", "")))
          .build();

  /**
   * What this folder's labelmaps are made from: the ensemble's models and the settings that turn
   * their outputs into labels (TTA, threshold, merge, precision, brain mask, label numbering), and
   * the selection that chose the models.
   */
  static Fingerprint fingerprint(Settings s) {
    return InferStage.ensembleSettings(s.labeling(), s.selection())
        .addSet("models", InferStage.memberFingerprints(s.members()))
        .add("labels", s.labelScheme() == null ? "auto" : s.labelScheme())
        .build();
  }

  public record Result(List<Row> rows) {
    public List<Row> errors() {
      return rows.stream().filter(Row::failed).toList();
    }

    public long count(String status) {
      return rows.stream().filter(r -> r.status().equals(status)).count();
    }
  }

  public Result run(SparkSession spark, Settings s) throws IOException {
    if (s.members().isEmpty()) {
      throw new IllegalArgumentException("segment: the ensemble has no model");
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    HadoopConf conf = new HadoopConf(sc.hadoopConfiguration());
    FileSystem fs = s.out().fileSystem(conf.get());
    CaseDiscovery.Result found =
        new CaseDiscovery(new HadoopCaseStore(conf.get())).discover(s.archive());
    List<Row> rows = new ArrayList<>();
    RunFolder folder = new RunFolder(s.out());
    Fingerprint ensemble = fingerprint(s);
    String madeBy = ensemble.shortHash();
    for (DiscoveryProblem p : found.problems()) {
      rows.add(new Row(p.caseId(), "error", p.reason() + " (" + p.path() + ")", "", "", 0, ""));
    }
    Path labelmapDir = folder.labelmapsDir();
    Path probabilityDir = folder.probabilitiesDir();
    Set<String> labelmaps = new HashSet<>(names(fs, labelmapDir));
    // who made the labelmaps there: segment.csv's rows, else the folder's record (written before
    // any task of a run, so a killed run's labelmaps count as made by its ensemble)
    Map<String, String> earlierRows = new HashMap<>();
    if (fs.exists(folder.segmentCsv())) {
      TABLE
          .read(fs, folder.segmentCsv())
          .forEach(r -> earlierRows.put(r.caseId(), r.fingerprint()));
    }
    Fingerprint earlier = Fingerprint.read(fs, folder.fingerprint());
    String unlisted = earlier == null ? "" : earlier.shortHash();
    List<String> stale = new ArrayList<>();
    for (String file : labelmaps) {
      if (!file.endsWith(SUFFIX)) {
        continue;
      }
      String id = file.substring(0, file.length() - SUFFIX.length());
      if (!earlierRows.getOrDefault(id, unlisted).equals(madeBy)) {
        stale.add(id);
      }
    }
    if (!stale.isEmpty()) {
      java.util.Collections.sort(stale);
      String difference =
          earlier != null && !earlier.hash().equals(ensemble.hash())
              ? String.join("; ", ensemble.differences(earlier))
              : "made by "
                  + stale.stream()
                      .map(id -> earlierRows.getOrDefault(id, unlisted))
                      .map(h -> h.isEmpty() ? "an unrecorded ensemble" : "ensemble " + h)
                      .distinct()
                      .toList()
                  + ", this one is "
                  + madeBy;
      switch (s.stale()) {
        case STOP ->
            throw new StaleOutputException(
                "segment: "
                    + s.out().uri()
                    + " holds "
                    + stale.size()
                    + " labelmaps made by another ensemble or other settings ("
                    + difference
                    + "); "
                    + StaleOutputs.flags(
                        "segment those cases again with this ensemble",
                        "keep them as done and segment only the missing cases (segment.csv"
                            + " names the ensemble that made each labelmap)"));
        case OVERWRITE -> {
          LOG.warn(
              "segment: --overwrite: {} labelmaps of another ensemble are made again",
              stale.size());
          for (String id : stale) {
            fs.delete(folder.labelmap(id), false);
            fs.delete(folder.probabilities(id), false);
            UncertaintyFiles.delete(fs, folder.labelmap(id));
            labelmaps.remove(id + SUFFIX);
          }
        }
        case KEEP ->
            LOG.warn(
                "segment: --keep-stale: keeping {} labelmaps of another ensemble ({})",
                stale.size(),
                difference);
      }
    }
    ensemble.write(fs, folder.fingerprint());
    Set<String> probabilities = s.probabilities() ? names(fs, probabilityDir) : Set.of();
    Set<String> uncertaintyMaps =
        s.uncertainty() ? names(fs, RunFolder.uncertaintyDir(labelmapDir)) : Set.of();
    List<BratsCase> todo = new ArrayList<>();
    for (BratsCase c : found.cases()) {
      String file = c.id() + SUFFIX;
      try {
        OutputRoot.checkPart(file);
      } catch (IllegalArgumentException e) {
        rows.add(new Row(c.id(), "error", "case " + c.id() + ": " + e.getMessage(), "", "", 0, ""));
        continue;
      }
      if (labelmaps.contains(file)
          && (!s.probabilities() || probabilities.contains(file))
          && (!s.uncertainty()
              || UncertaintyFiles.listed(uncertaintyMaps, folder.labelmap(c.id())))) {
        rows.add(
            new Row(
                c.id(),
                "done",
                "",
                labelmapFile(s, c.id()).toString(),
                s.probabilities() ? probabilityFile(s, c.id()).toString() : "",
                0,
                earlierRows.getOrDefault(c.id(), unlisted)));
      } else {
        todo.add(c);
      }
    }
    LOG.info(
        "segment: {} cases under {} ({} finished earlier, {} to segment, {} discovery problems)",
        found.cases().size(),
        s.archive(),
        found.cases().size() - todo.size(),
        todo.size(),
        found.problems().size());
    if (!todo.isEmpty()) {
      try (Progress progress =
          Progress.start(spark.sparkContext(), "segment: cases", todo.size())) {
        LongAccumulator done = progress.counter();
        // at least one task per core while there are cases enough, so a small archive uses them
        int slices =
            Math.max(
                (todo.size() + s.casesPerTask() - 1) / s.casesPerTask(),
                Math.min(todo.size(), sc.defaultParallelism()));
        JavaRDD<BratsCase> rdd = sc.parallelize(todo, slices);
        TaskCpus cpus = TaskCpus.of(sc.getConf(), s.engineThreads());
        rdd = cpus.schedule(rdd, s.gpuShare());
        sc.setJobDescription("segment " + todo.size() + " cases");
        for (Row r :
            rdd.mapPartitions((Iterator<BratsCase> it) -> segmentAll(it, s, cpus, conf, done))
                .collect()) {
          rows.add(r.failed() ? r : r.madeBy(madeBy));
        }
      }
    }
    rows.sort(Comparator.comparing(Row::caseId));
    TABLE.writeCsv(fs, folder.segmentCsv(), rows);
    if (!found.cases().isEmpty() && fs.exists(labelmapDir)) {
      ColourTableFiles.write(
          fs,
          labelmapDir,
          s.labelScheme() != null ? s.labelScheme() : found.cases().get(0).labelScheme());
    }
    Result r = new Result(rows);
    LOG.info(
        "segment: {} segmented, {} done earlier, {} failed",
        r.count("ok"),
        r.count("done"),
        r.count("error"));
    return r;
  }

  /**
   * The finished file names in {@code dir} (one listing; empty when it does not exist), after
   * deleting the temporary files a killed earlier run left there: one segment run writes an output
   * folder at a time.
   */
  private static Set<String> names(FileSystem fs, Path dir) throws IOException {
    Set<String> out = new HashSet<>();
    if (OutputRoot.removeTemporaries(fs, dir, false) > 0) {
      LOG.info("segment: removed temporary files of an interrupted run from {}", dir);
    }
    if (fs.exists(dir)) {
      for (FileStatus st : fs.listStatus(dir)) {
        out.add(st.getPath().getName());
      }
    }
    return out;
  }

  static Path labelmapFile(Settings s, String caseId) {
    return new RunFolder(s.out()).labelmap(caseId);
  }

  static Path probabilityFile(Settings s, String caseId) {
    return new RunFolder(s.out()).probabilities(caseId);
  }

  private static Iterator<Row> segmentAll(
      Iterator<BratsCase> cases, Settings s, TaskCpus cpus, HadoopConf conf, LongAccumulator done)
      throws IOException, InterruptedException {
    Device device = InferStage.taskDevice(cpus, s.device());
    FileSystem outFs = s.out().fileSystem(conf.get());
    NiftiReader reader = new NiftiReader(s.maxVoxelBytes());
    List<Row> out = new ArrayList<>();
    try (TaskCpus.Turn cores = cpus.take()) {
      while (cases.hasNext()) {
        out.add(segment(cases.next(), s, conf, outFs, reader, device));
        done.add(1);
      }
    }
    return out.iterator();
  }

  /** One case, never throwing for a problem of the case itself. */
  static Row segment(
      BratsCase c,
      Settings s,
      HadoopConf conf,
      FileSystem outFs,
      NiftiReader reader,
      Device device) {
    long t0 = System.nanoTime();
    try {
      LabelScheme scheme = s.labelScheme() != null ? s.labelScheme() : c.labelScheme();
      PreparedCase pc =
          PreprocessStage.prepare(c, scheme, s.normalizations(), false, conf, reader, null);
      NiftiHeader t1 = InferStage.readHeader(c.modalityPath(Modality.T1), conf, reader);
      Map<String, MultiChannelVolume> probs =
          s.probabilities() || s.uncertainty() ? new LinkedHashMap<>() : null;
      Map<String, LabelVolume> labels =
          InferStage.predict(
              pc, scheme, s.members(), s.labeling(), s.ttaBatchBytes(), conf, device, probs);
      LabelVolume result =
          labels.containsKey("merged") ? labels.get("merged") : labels.values().iterator().next();
      NiftiWriter writer = NiftiWriter.withDefaults();
      String probFile = "";
      MultiChannelVolume mean = probs == null ? null : mean(probs.values());
      if (s.probabilities()) {
        Path target = probabilityFile(s, c.id());
        OutputRoot.writeAtomically(
            outFs, target, o -> writer.write(o, true, mean, t1, NiftiDataType.FLOAT32, "ET,TC,WT"));
        probFile = target.toString();
      }
      Path target = labelmapFile(s, c.id());
      NiftiHeader like = NiftiHeader.like(t1, NiftiDataType.UINT8);
      if (s.uncertainty()) {
        UncertaintyFiles.write(outFs, target, mean, like, writer);
      }
      // the labelmap last: its presence marks the case complete
      OutputRoot.writeAtomically(outFs, target, o -> writer.write(o, true, result, like));
      return new Row(
          c.id(), "ok", "", target.toString(), probFile, (System.nanoTime() - t0) / 1e9, "");
    } catch (InvalidCaseException e) {
      return error(c, e.getMessage(), t0);
    } catch (IOException e) {
      // unreadable or malformed input: the message names the file and the problem
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn("segment case {} failed: {}", c.id(), msg);
      return error(c, "case " + c.id() + ": " + msg, t0);
    } catch (RuntimeException e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.error("segment case {} failed", c.id(), e);
      return error(c, "case " + c.id() + ": " + msg, t0);
    } catch (OutOfMemoryError e) {
      return error(c, "case " + c.id() + ": out of memory while segmenting", t0);
    }
  }

  private static Row error(BratsCase c, String reason, long t0) {
    return new Row(c.id(), "error", reason, "", "", (System.nanoTime() - t0) / 1e9, "");
  }

  /** The voxel-wise mean of the pipelines' probability maps. */
  static MultiChannelVolume mean(Iterable<MultiChannelVolume> maps) {
    Geometry g = null;
    float[][] sum = null;
    int n = 0;
    for (MultiChannelVolume m : maps) {
      if (sum == null) {
        g = m.geometry();
        sum = new float[m.channelCount()][];
        for (int c = 0; c < sum.length; c++) {
          sum[c] = m.channel(c).clone();
        }
      } else {
        for (int c = 0; c < sum.length; c++) {
          float[] a = m.channel(c);
          for (int i = 0; i < a.length; i++) {
            sum[c][i] += a[i];
          }
        }
      }
      n++;
    }
    if (n > 1) {
      for (float[] ch : sum) {
        for (int i = 0; i < ch.length; i++) {
          ch[i] /= n;
        }
      }
    }
    return new MultiChannelVolume(g, sum);
  }
}
