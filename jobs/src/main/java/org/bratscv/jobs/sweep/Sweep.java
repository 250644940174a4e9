package org.bratscv.jobs.sweep;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.jobs.config.PipelineSettings;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputs;
import org.bratscv.jobs.stages.CaseManifestRow;
import org.bratscv.jobs.stages.CrossValidation;
import org.bratscv.jobs.stages.FoldsStage;
import org.bratscv.jobs.stages.InferStage;
import org.bratscv.jobs.stages.MetricRow;
import org.bratscv.jobs.stages.ModelRow;
import org.bratscv.jobs.stages.PreprocessStage;
import org.bratscv.jobs.stages.TrainStage;
import org.bratscv.jobs.stages.TrainedEnsemble;
import org.bratscv.jobs.stages.TrainingLossStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sweep run: the variants of a {@link SweepConfig} cross-validated side by side in a dated folder
 * {@code <output>/<run-id>/} (run id: the UTC date by default), then compared with the baseline.
 *
 * <p>It shares {@code preprocess/}, {@code folds.json} and {@code train/} between the variants and
 * keeps each variant's results under {@code variants/<variant>/} ({@link RunFolder} names every
 * path).
 *
 * <p>The training tasks of all variants run in one Spark job (one GPU each on a GPU cluster),
 * except that patient-removal variants need their source variant trained and scored first: they
 * train in a second job. A variant whose {@code DONE} marker exists and names its present
 * configuration's hash is skipped on a rerun; everything else resumes from what is complete and
 * still made from the same things. {@code <output>/LATEST} (and, on a local file system, the
 * symbolic link {@code <output>/latest}) points at the newest finished run.
 *
 * <p>With an {@code ensemble} section ({@link MemberSelection}) the variants are scored out of fold
 * only; then the section's members are selected from every variant's models by those scores ({@code
 * ensemble.csv}), and that ensemble ({@link SelectedEnsemble}) segments the test archive into
 * {@code ensemble/}.
 */
public final class Sweep {
  private static final Logger LOG = LoggerFactory.getLogger(Sweep.class);
  private final SparkSession spark;
  private final SweepConfig config;
  private final OutputRoot top;
  private final RunFolder root;
  private final String runId;
  private final StaleOutputs stale;

  /** What a sweep produced, for the exit code. */
  public record Outcome(
      String root,
      List<String> skipped,
      List<String> failures,
      List<Comparison.Row> comparison,
      Map<String, Set<String>> removed) {
    public boolean clean() {
      return failures.isEmpty();
    }
  }

  /**
   * @param runId the run folder's name, or null for today's UTC date (yyyy-MM-dd)
   */
  public Sweep(SparkSession spark, SweepConfig config, String runId) {
    this(spark, config, runId, StaleOutputs.STOP);
  }

  /**
   * @param stale what to do where a rerun finds costly or ambiguous stale outputs
   */
  public Sweep(SparkSession spark, SweepConfig config, String runId, StaleOutputs stale) {
    this.spark = spark;
    this.config = config;
    this.runId = runId(runId);
    this.top = new OutputRoot(config.output());
    this.root = runFolder(config, runId);
    this.stale = stale;
  }

  public OutputRoot root() {
    return root.root();
  }

  /** The run folder's name: {@code runId}, or today's UTC date (yyyy-MM-dd) when null. */
  public static String runId(String runId) {
    return OutputRoot.checkPart(runId != null ? runId : LocalDate.now(ZoneOffset.UTC).toString());
  }

  /** The run folder a sweep of {@code config} with {@code runId} (null: today) writes. */
  public static RunFolder runFolder(SweepConfig config, String runId) {
    return new RunFolder(
        new OutputRoot(new OutputRoot(config.output()).resolve(runId(runId)).toString()));
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  public static OutputRoot variantRoot(OutputRoot root, String variant) {
    return new RunFolder(root).variant(variant).root();
  }

  private CrossValidation cv(SweepConfig.Variant v) {
    return new CrossValidation(
            spark,
            v.config(),
            root.root(),
            root.variant(v.name()).root(),
            v.name(),
            config.normalizations())
        .withStaleOutputs(stale);
  }

  /**
   * The content of a variant's {@code DONE} marker: the hash of the configuration it was scored
   * with, so a rerun with other settings does not take the old results for finished ones.
   */
  static String doneMarker(SweepConfig.Variant v) {
    return "config_sha256 " + Fingerprint.sha256(v.config().resolvedYaml()) + "\n";
  }

  private boolean isDone(FileSystem fs, SweepConfig.Variant v) throws IOException {
    return isDone(fs, root, v);
  }

  /**
   * True when {@code v}'s results in run folder {@code root} are complete and were made with its
   * present configuration: a rerun skips it.
   */
  public static boolean isDone(FileSystem fs, RunFolder root, SweepConfig.Variant v)
      throws IOException {
    Path done = root.variant(v.name()).done();
    if (!fs.exists(done)) {
      return false;
    }
    String recorded;
    try (InputStream in = fs.open(done)) {
      recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (recorded.equals(doneMarker(v))) {
      return true;
    }
    LOG.info("sweep: variant {} finished with another configuration: scored again", v.name());
    return false;
  }

  public Outcome run() throws IOException {
    FileSystem fs = root.root().fileSystem(hadoop());
    byte[] yaml = config.resolvedYaml().getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, root.sweepYaml(), o -> o.write(yaml));
    fs.delete(root.finished(), false);

    Map<String, CrossValidation> cvs = new LinkedHashMap<>();
    List<String> pending = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (SweepConfig.Variant v : config.variants().values()) {
      cvs.put(v.name(), cv(v));
      if (isDone(fs, v)) {
        skipped.add(v.name());
      } else {
        pending.add(v.name());
      }
    }
    LOG.info(
        "sweep {} in {}: variants {}, finished earlier (skipped): {}",
        config.name(),
        root.uri(),
        config.variants().keySet(),
        skipped);

    List<String> failures = new ArrayList<>();
    Map<String, Set<String>> removed = new LinkedHashMap<>();
    if (!pending.isEmpty()) {
      CrossValidation base = cvs.get(config.baseline());
      PreprocessStage.Result pre = base.preprocess();
      for (CaseManifestRow r : pre.errors()) {
        failures.add("case " + r.getCaseId() + ": " + r.getReason());
      }
      FoldSplit split = base.folds();

      Map<String, Map<String, PipelineSettings>> all = new LinkedHashMap<>();
      config.variants().values().forEach(v -> all.put(v.name(), v.config().pipelines()));
      boolean removalPending =
          pending.stream().anyMatch(n -> config.variants().get(n).removal() != null);
      if (removalPending) {
        Map<String, Map<String, PipelineSettings>> first = new LinkedHashMap<>();
        config.variants().values().stream()
            .filter(v -> v.removal() == null)
            .forEach(v -> first.put(v.name(), v.config().pipelines()));
        TrainStage.Settings s = trainSettings(first, split, Map.of(), base);
        LOG.info("sweep: training the variants without patient removal {}", first.keySet());
        TrainStage.Result firstResult = new TrainStage().run(spark, s, TrainStage.allTasks(s));
        for (String n : List.copyOf(pending)) {
          SweepConfig.Variant v = config.variants().get(n);
          if (v.removal() == null) {
            continue;
          }
          List<ModelRow> sourceFailed =
              firstResult.failed().stream()
                  .filter(m -> m.getVariant().equals(v.removal().from()))
                  .toList();
          if (!sourceFailed.isEmpty()) {
            // ranking cases by an incomplete set of models would drop the wrong ones: no training
            failures.add(
                "variant "
                    + n
                    + ": not trained: patient removal needs every model of "
                    + v.removal().from()
                    + ", and "
                    + sourceFailed.size()
                    + " failed");
            all.remove(n);
            pending.remove(n);
            continue;
          }
          removed.put(n, removal(v, cvs.get(v.removal().from()), fs));
        }
      }
      TrainStage.Settings s = trainSettings(all, split, removed, base);
      LOG.info("sweep: training every variant {}", all.keySet());
      TrainStage.Result trained = new TrainStage().run(spark, s, TrainStage.allTasks(s));
      for (ModelRow m : trained.failed()) {
        failures.add("model " + m.getReason());
      }
      for (String n : pending) {
        CrossValidation cv = cvs.get(n);
        LOG.info("sweep: scoring variant {}", n);
        cv.saveConfig();
        // with a selected ensemble, the selection segments the test archive, not each variant
        CrossValidation.Outcome o = cv.score(List.of(), List.of(), config.ensemble() == null);
        o.failedPredictions().forEach(p -> failures.add(n + ": prediction " + p));
        o.evaluation().errors().forEach(e -> failures.add(n + ": evaluation " + e));
        boolean modelsOk =
            trained.models().stream()
                .filter(m -> m.getVariant().equals(n))
                .allMatch(ModelRow::isOk);
        if (modelsOk && o.failedPredictions().isEmpty() && o.evaluation().errors().isEmpty()) {
          byte[] done = doneMarker(config.variants().get(n)).getBytes(StandardCharsets.UTF_8);
          OutputRoot.writeAtomically(fs, root.variant(n).done(), out -> out.write(done));
        }
      }
    }

    List<Comparison.Row> rows = compare(fs);
    if (config.ensemble() != null) {
      failures.addAll(selectedEnsemble(fs));
    } else if (fs.delete(root.ensembleCsv(), false)) {
      // segment --models <root> must not take a selection this sweep file no longer makes
      LOG.info("sweep: no ensemble section: the earlier selection (ensemble.csv) is removed");
    }
    writeLatest();
    cvs.get(config.baseline()).writeProvenance(root, config.resolvedYaml());
    byte[] finished =
        String.format(
                java.util.Locale.ROOT,
                "%s finished %s with %d failures\n",
                runId,
                java.time.Instant.now(),
                failures.size())
            .getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, root.finished(), o -> o.write(finished));
    return new Outcome(root.uri(), skipped, failures, rows, removed);
  }

  private TrainStage.Settings trainSettings(
      Map<String, Map<String, PipelineSettings>> pipelines,
      FoldSplit split,
      Map<String, Set<String>> excluded,
      CrossValidation base)
      throws IOException {
    return new TrainStage.Settings(
        root.root(),
        pipelines,
        split,
        config.baselineConfig().compute(),
        excluded,
        base.trainingCaseFingerprints());
  }

  /**
   * The cases variant {@code v} leaves out: decided once from its source variant's models and kept
   * in {@code variants/<v>/removal.csv}, so that a resumed run trains on the same cases.
   */
  private Set<String> removal(SweepConfig.Variant v, CrossValidation source, FileSystem fs)
      throws IOException {
    Path file = root.variant(v.name()).removalCsv();
    if (fs.exists(file)) {
      Set<String> dropped = readDropped(fs, file);
      LOG.info("sweep: variant {} leaves out {} (from {})", v.name(), dropped, file);
      return dropped;
    }
    var compute = source.config().compute();
    List<TrainingLossStage.CaseLoss> losses =
        new TrainingLossStage()
            .run(
                spark,
                source.trainingLossJobs(),
                compute.casesPerTask(),
                compute.engineThreads(),
                compute.inferGpuShare(),
                compute.device());
    PatientRemoval.Decision d = PatientRemoval.decide(losses, v.removal());
    PatientRemoval.TABLE.writeCsv(fs, file, d.ranked());
    for (TrainingLossStage.CaseLoss l : losses) {
      if (!l.ok()) {
        LOG.warn("sweep: variant {}: {} (kept)", v.name(), l.error());
      }
    }
    LOG.info(
        "sweep: variant {} leaves out {} training cases with Dice loss > {}: {}",
        v.name(),
        d.dropped().size(),
        String.format(java.util.Locale.ROOT, "%.4f", d.cutoff()),
        d.dropped());
    return d.dropped();
  }

  /** The dropped case ids of a {@code removal.csv} ({@link PatientRemoval#TABLE}). */
  static Set<String> readDropped(FileSystem fs, Path file) throws IOException {
    Set<String> out = new java.util.TreeSet<>();
    for (PatientRemoval.Ranked r : PatientRemoval.TABLE.read(fs, file)) {
      if (r.dropped()) {
        out.add(r.caseId());
      }
    }
    return out;
  }

  /** The comparison of every scored variant with the baseline, written as CSV and Markdown. */
  private List<Comparison.Row> compare(FileSystem fs) throws IOException {
    FoldSplit split = FoldsStage.read(hadoop(), root.root());
    Map<String, Integer> foldOf = new LinkedHashMap<>();
    for (String id : split.caseIds()) {
      foldOf.put(id, split.foldOf(id));
    }
    List<Comparison.Scores> scores = new ArrayList<>();
    Comparison.Scores baseline = null;
    Set<String> missing = new HashSet<>();
    for (SweepConfig.Variant v : config.variants().values()) {
      Path metrics = root.variant(v.name()).metricsCsv();
      if (!fs.exists(metrics)) {
        missing.add(v.name());
        continue;
      }
      List<MetricRow> rows = MetricRow.TABLE.read(fs, metrics);
      Comparison.Scores s = new Comparison.Scores(v.name(), config.compareSet(v), rows);
      scores.add(s);
      if (v.name().equals(config.baseline())) {
        baseline = s;
      }
    }
    if (baseline == null) {
      LOG.error("sweep: the baseline {} has no metrics: no comparison", config.baseline());
      return List.of();
    }
    if (!missing.isEmpty()) {
      LOG.warn("sweep: variants without metrics, left out of the comparison: {}", missing);
    }
    List<Comparison.Row> rows =
        Comparison.compare(baseline, scores, foldOf::get, config.compareMetrics());
    Comparison.TABLE.writeCsv(fs, root.comparisonCsv(), rows);
    byte[] md =
        Comparison.markdown(
                "Sweep "
                    + config.name()
                    + " ("
                    + runId
                    + "), baseline "
                    + config.baseline()
                    + ", metric convention "
                    + Comparison.conventions(baseline),
                rows)
            .getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, root.comparisonMd(), o -> o.write(md));
    return rows;
  }

  /**
   * The {@code ensemble} section applied to the trained models: every candidate scored on its
   * fold's validation cases (from its variant's out-of-fold metrics), the selection written to
   * {@code ensemble.csv} with {@code ensemble/config.yaml}, then the test archive (if any)
   * segmented by the selected ensemble into {@code ensemble/test/predictions/} and scored where
   * labelled. Selected again on every run, from the metrics then on disk; labelmaps whose
   * selection, scores, models or settings changed are predicted again. Returns the failures.
   */
  private List<String> selectedEnsemble(FileSystem fs) throws IOException {
    List<String> failures = new ArrayList<>();
    // selected again from what is on disk now; a failed selection leaves none behind
    fs.delete(root.ensembleCsv(), false);
    if (!fs.exists(root.modelsCsv())) {
      failures.add("ensemble: no trained models (" + root.modelsCsv() + ")");
      return failures;
    }
    FoldSplit split = FoldsStage.read(hadoop(), root.root());
    List<MemberSelection.Model> models =
        MemberSelection.models(ModelRow.TABLE.read(fs, root.modelsCsv())).stream()
            .filter(m -> config.variants().containsKey(m.variant()))
            .toList();
    Map<String, MemberSelection.Score> scores = new LinkedHashMap<>();
    for (String v : config.ensemble().variants()) {
      Path metrics = root.variant(v).metricsCsv();
      if (!fs.exists(metrics)) {
        LOG.warn("sweep: variant {} has no metrics: its models have no validation score", v);
        continue;
      }
      List<MetricRow> rows = MetricRow.TABLE.read(fs, metrics);
      for (MemberSelection.Model m : models) {
        if (m.variant().equals(v)) {
          scores.put(m.key(), MemberSelection.score(rows, m.pipeline(), m.fold(), split));
        }
      }
    }
    List<MemberSelection.Candidate> selected;
    try {
      selected = config.ensemble().select(models, scores);
    } catch (org.bratscv.jobs.config.ConfigException e) {
      failures.add(e.getMessage());
      return failures;
    }
    SelectedEnsemble.write(
        fs, root, selected, config.ensemble(), config.baselineConfig().ensemble());
    for (MemberSelection.Candidate c : selected) {
      LOG.info(
          "sweep: ensemble {} {}/{}/fold{} validation Dice {} (rank {}, {})",
          c.selected() ? "takes" : "leaves",
          c.variant(),
          c.pipeline(),
          c.fold(),
          String.format(java.util.Locale.ROOT, "%.4f", c.validationDice()),
          c.rank(),
          c.rule());
    }
    if (config.baselineConfig().testArchive() == null) {
      return failures;
    }
    TrainedEnsemble e = SelectedEnsemble.load(hadoop(), root.uri());
    CrossValidation cv =
        new CrossValidation(
                spark,
                config.baselineConfig(),
                root.root(),
                root.ensemble().root(),
                SelectedEnsemble.VARIANT,
                config.normalizations())
            .withStaleOutputs(stale);
    LOG.info(
        "sweep: segmenting the test archive with the selected ensemble of {} models {}",
        e.modelCount(),
        e.members().keySet());
    List<InferStage.Prediction> preds = cv.inferTest(e);
    List<InferStage.Prediction> labelled = new ArrayList<>();
    for (InferStage.Prediction p : preds) {
      if (!p.ok()) {
        failures.add("ensemble: prediction " + p.caseId() + ": " + p.error());
      } else if (p.hasLabel()) {
        labelled.add(p);
      }
    }
    if (!labelled.isEmpty()) {
      cv.evaluate(labelled).errors().forEach(x -> failures.add("ensemble: evaluation " + x));
    }
    return failures.stream().distinct().toList();
  }

  /**
   * Points {@code <output>/LATEST} (a one-line file, on any file system) and, where the output is a
   * local folder, the symbolic link {@code <output>/latest} at this run; both replaced atomically.
   */
  private void writeLatest() throws IOException {
    FileSystem fs = top.fileSystem(hadoop());
    byte[] id = (runId + "\n").getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, top.resolve("LATEST"), o -> o.write(id));
    if ("file".equals(fs.getScheme())) {
      java.nio.file.Path dir = java.nio.file.Path.of(fs.makeQualified(top.path()).toUri());
      java.nio.file.Path tmp = dir.resolve(OutputRoot.TEMP_PREFIX + "latest");
      try {
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, java.nio.file.Path.of(runId));
        Files.move(
            tmp,
            dir.resolve("latest"),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException | UnsupportedOperationException e) {
        Files.deleteIfExists(tmp);
        LOG.warn("sweep: could not point {}/latest at {} ({}); LATEST says it", dir, runId, e);
      }
    }
  }
}
