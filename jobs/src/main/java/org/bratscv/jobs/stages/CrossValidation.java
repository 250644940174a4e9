package org.bratscv.jobs.stages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.jobs.config.Labeling;
import org.bratscv.jobs.config.PipelineSettings;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.CaseFingerprints;
import org.bratscv.jobs.run.Fingerprint;
import org.bratscv.jobs.run.Provenance;
import org.bratscv.jobs.run.RunFolder;
import org.bratscv.jobs.run.StaleOutputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages of a cross-validation run, each reading what the one before wrote under the output
 * root ({@link RunFolder} names every path), so that any of them can be run (or rerun) on its own,
 * and {@link #all} chains them: preprocess -> folds -> train -> infer (out-of-fold, and the
 * ensemble on the test archive) -> evaluate. A rerun redoes exactly the outputs whose fingerprint
 * changed; where that is costly or ambiguous (a new split under trained models) {@link
 * StaleOutputs} decides.
 */
public final class CrossValidation {
  private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);
  public static final String VARIANT = "baseline";

  private final SparkSession spark;
  private final RunConfig config;
  private final String variant;

  /** preprocess/, folds.json, train/ (shared by the variants of a sweep) */
  private final RunFolder shared;

  /** config.yaml, provenance.json, predictions/, evaluate/ (one per variant of a sweep) */
  private final RunFolder results;

  /** the normalisations preprocessing writes (a sweep's variants may need more than this one) */
  private final Set<Normalization> normalizations;

  private final StaleOutputs stale;

  /** what {@code ensemble.models} names, segmenting data.test instead of this run's models */
  private final TrainedEnsemble testEnsemble;

  /** A cross-validation run: everything under {@code config.output()}. */
  public CrossValidation(SparkSession spark, RunConfig config) {
    this(
        spark,
        config,
        new OutputRoot(config.output()),
        new OutputRoot(config.output()),
        VARIANT,
        config.normalizations());
  }

  /**
   * One variant of a sweep: preprocessing, folds and training under {@code shared}, the variant's
   * predictions and metrics under {@code results}.
   */
  public CrossValidation(
      SparkSession spark,
      RunConfig config,
      OutputRoot shared,
      OutputRoot results,
      String variant,
      Set<Normalization> normalizations) {
    this(
        spark,
        config,
        new RunFolder(shared),
        new RunFolder(results),
        variant,
        normalizations,
        StaleOutputs.STOP,
        null);
  }

  private CrossValidation(
      SparkSession spark,
      RunConfig config,
      RunFolder shared,
      RunFolder results,
      String variant,
      Set<Normalization> normalizations,
      StaleOutputs stale,
      TrainedEnsemble testEnsemble) {
    this.spark = spark;
    this.testEnsemble = testEnsemble;
    this.normalizations = normalizations;
    this.config = config;
    this.variant = variant;
    this.shared = shared;
    this.results = results;
    this.stale = stale;
  }

  /** The same run deciding costly or ambiguous stale outputs as {@code stale} says. */
  public CrossValidation withStaleOutputs(StaleOutputs stale) {
    return new CrossValidation(
        spark, config, shared, results, variant, normalizations, stale, testEnsemble);
  }

  /**
   * The same run segmenting {@code data.test} with {@code ensemble}, the ensemble {@code
   * ensemble.models} names (loaded by the command, so a bad path stops the run before training);
   * training and out-of-fold inference keep this run's own models.
   */
  public CrossValidation withTestEnsemble(TrainedEnsemble ensemble) {
    return new CrossValidation(
        spark, config, shared, results, variant, normalizations, stale, ensemble);
  }

  public OutputRoot results() {
    return results.root();
  }

  public RunConfig config() {
    return config;
  }

  /** What a whole run produced, for the exit code and the printed table. */
  public record Outcome(
      List<CaseManifestRow> failedCases,
      List<ModelRow> failedModels,
      List<String> failedPredictions,
      EvaluateStage.Result evaluation) {
    public boolean clean() {
      return failedCases.isEmpty()
          && failedModels.isEmpty()
          && failedPredictions.isEmpty()
          && evaluation.errors().isEmpty();
    }
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private FileSystem fs() throws IOException {
    return results.root().fileSystem(hadoop());
  }

  /** Writes the resolved configuration and the provenance record beside the outputs. */
  public void saveConfig() throws IOException {
    FileSystem fs = fs();
    byte[] yaml = config.resolvedYaml().getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, results.configYaml(), o -> o.write(yaml));
    // config.yaml and folds.json of a killed run (the stages clean their own folders)
    OutputRoot.removeTemporaries(fs, results.path(), false);
    if (!results.uri().equals(shared.uri())) {
      OutputRoot.removeTemporaries(fs, shared.path(), false);
    }
    writeProvenance();
  }

  /**
   * Writes {@code provenance.json}: code, runtime and devices, the resolved configuration and its
   * hash, the inputs' fingerprints (from the case manifests) and the fingerprints of the models,
   * predictions and metrics now on disk. Called at the start and after each stage, so it describes
   * what the folder holds.
   */
  public void writeProvenance() throws IOException {
    writeProvenance(results, config.resolvedYaml());
  }

  /**
   * Writes the provenance record of {@code target} made with {@code resolvedYaml}: this run's
   * results folder, or a sweep's root (with the sweep file, and the models of every variant).
   */
  public void writeProvenance(RunFolder target, String resolvedYaml) throws IOException {
    FileSystem fs = fs();
    boolean allVariants = !target.uri().equals(results.uri());
    Map<String, String> cases = new TreeMap<>();
    for (CaseManifestRow r : manifestOrEmpty(shared)) {
      cases.put(r.getCaseId(), r.getFingerprint());
    }
    for (CaseManifestRow r : manifestOrEmpty(shared.test())) {
      cases.put("test/" + r.getCaseId(), r.getFingerprint());
    }
    Map<String, String> outputs = new TreeMap<>();
    List<String> devices = new ArrayList<>();
    List<ModelRow> models =
        !fs.exists(shared.modelsCsv())
            ? List.of()
            : allVariants ? ModelRow.TABLE.read(fs, shared.modelsCsv()) : models();
    for (ModelRow m : models) {
      if (m.isOk()) {
        outputs.put(
            "model " + m.getVariant() + "/" + m.getPipeline() + "/fold" + m.getFold(),
            m.getFingerprint());
        devices.add(m.getDevice());
      }
    }
    // out-of-fold labelmaps sit in the root, the test archive's under test/
    for (var prefix : Map.of("oof", target, "test", target.test()).entrySet()) {
      CaseFingerprints p =
          CaseFingerprints.read(fs, prefix.getValue().predictionFingerprints(prefix.getKey()));
      if (p != null) {
        outputs.put("predictions " + prefix.getKey() + " settings", p.settings().hash());
      }
    }
    // a sweep's selected ensemble: its settings hash holds the selection and its scores
    CaseFingerprints selected =
        CaseFingerprints.read(fs, target.ensemble().test().predictionFingerprints("test"));
    if (selected != null) {
      outputs.put("predictions ensemble test settings", selected.settings().hash());
    }
    // ensemble.models: where the ensemble that segmented data.test came from, and its members
    if (!allVariants && config.ensemble().models() != null) {
      outputs.put("predictions test models", config.ensemble().models());
      if (testEnsemble != null) {
        outputs.put("predictions test models source", testEnsemble.source());
        testEnsemble
            .members()
            .values()
            .forEach(
                ms ->
                    ms.forEach(
                        m ->
                            outputs.put(
                                "predictions test model "
                                    + m.variant()
                                    + "/"
                                    + m.pipeline()
                                    + "/fold"
                                    + m.fold(),
                                m.fingerprint())));
      }
    }
    Fingerprint eval = Fingerprint.read(fs, target.evaluateFingerprint());
    if (eval != null) {
      outputs.put("evaluate", eval.hash());
    }
    var conf = spark.sparkContext().getConf();
    Provenance.of(
            Provenance.currentRuntime(spark.version()),
            new Provenance.Devices(
                spark.sparkContext().master(),
                conf.get("spark.executor.resource.gpu.amount", "0"),
                conf.get("spark.task.resource.gpu.amount", "0"),
                Provenance.distinct(devices)),
            resolvedYaml,
            Provenance.Inputs.of(config.trainArchive(), config.testArchive(), cases),
            outputs)
        .write(fs, target.provenance());
  }

  public PreprocessStage.Result preprocess() throws IOException {
    PreprocessStage.Result r =
        new PreprocessStage().run(spark, preprocessSettings(config.trainArchive(), shared));
    writeProvenance();
    return r;
  }

  private PreprocessStage.Settings preprocessSettings(String archive, RunFolder root) {
    return preprocessSettings(archive, root, normalizations);
  }

  private PreprocessStage.Settings preprocessSettings(
      String archive, RunFolder root, Set<Normalization> normalizations) {
    return new PreprocessStage.Settings(
        archive,
        root.root(),
        normalizations,
        config.labelScheme(),
        config.compute().casesPerTask(),
        config.maxVoxelBytes());
  }

  /** The cases of a preprocess manifest on disk, ok and error. */
  List<CaseManifestRow> manifest(RunFolder root) throws IOException {
    return CaseManifestRow.TABLE.read(fs(), root.caseManifestCsv());
  }

  private List<CaseManifestRow> manifestOrEmpty(RunFolder root) throws IOException {
    return fs().exists(root.caseManifestCsv()) ? manifest(root) : List.of();
  }

  /** Per case id, the fingerprint of its preprocessed files. */
  private Map<String, String> caseFingerprints() throws IOException {
    Map<String, String> out = new HashMap<>();
    for (CaseManifestRow r : manifest(shared)) {
      if (r.isOk()) {
        out.put(r.getCaseId(), r.getFingerprint());
      }
    }
    return out;
  }

  public FoldSplit folds() throws IOException {
    List<String> usable =
        manifest(shared).stream()
            .filter(r -> r.isOk() && r.getHasLabel())
            .map(CaseManifestRow::getCaseId)
            .toList();
    return new FoldsStage()
        .run(
            hadoop(),
            new FoldsStage.Settings(
                shared.root(), config.folds(), config.seed(), config.splitFile(), stale),
            usable);
  }

  public TrainStage.Result train() throws IOException {
    FoldSplit split = FoldsStage.read(hadoop(), shared.root());
    TrainStage.Settings s =
        new TrainStage.Settings(
            shared.root(),
            Map.of(variant, config.pipelines()),
            split,
            config.compute(),
            Map.of(),
            caseFingerprints());
    TrainStage.Result r = new TrainStage().run(spark, s, TrainStage.allTasks(s));
    writeProvenance();
    return r;
  }

  /** Per case id, the fingerprint of its preprocessed files, for the train stage of a sweep. */
  public Map<String, String> trainingCaseFingerprints() throws IOException {
    return caseFingerprints();
  }

  /** This variant's trained models, from the manifest on disk. */
  List<ModelRow> models() throws IOException {
    return ModelRow.TABLE.read(fs(), shared.modelsCsv()).stream()
        .filter(m -> variant.equals(m.getVariant()))
        .toList();
  }

  private InferStage.Member member(ModelRow m) {
    PipelineSettings p = config.pipelines().get(m.getPipeline());
    return new InferStage.Member(
        m.getVariant(),
        m.getPipeline(),
        m.getFold(),
        shared.taskDir(m.getVariant(), m.getPipeline(), m.getFold()).toString(),
        p.normalization(),
        p.network(),
        m.getFingerprint());
  }

  private InferStage.Settings inferSettings(RunFolder root, String prefix) {
    return new InferStage.Settings(
        root.root(),
        prefix,
        config.ensemble().labeling(),
        config.compute().casesPerTask(),
        config.compute().engineThreads(),
        config.compute().inferGpuShare(),
        "",
        config.compute().device(),
        config.ensemble().ttaBatchBytes());
  }

  /**
   * For patient removal: every case of the split with this variant's models that trained on it (the
   * models of the folds that did not hold it out).
   */
  public List<TrainingLossStage.CaseJob> trainingLossJobs() throws IOException {
    FoldSplit split = FoldsStage.read(hadoop(), shared.root());
    List<ModelRow> ok = models().stream().filter(ModelRow::isOk).toList();
    List<TrainingLossStage.CaseJob> jobs = new ArrayList<>();
    for (String id : split.caseIds()) {
      int heldOutBy = split.foldOf(id);
      List<InferStage.Member> members =
          ok.stream().filter(m -> m.getFold() != heldOutBy).map(this::member).toList();
      if (!members.isEmpty()) {
        jobs.add(new TrainingLossStage.CaseJob(id, shared.caseDir(id).toString(), members));
      }
    }
    return jobs;
  }

  /** Out-of-fold: every case of the split by the models of the fold that held it out. */
  public List<InferStage.Prediction> inferOutOfFold() throws IOException {
    FoldSplit split = FoldsStage.read(hadoop(), shared.root());
    List<ModelRow> ok = models().stream().filter(ModelRow::isOk).toList();
    Map<String, String> fingerprints = caseFingerprints();
    List<InferStage.CaseJob> jobs = new ArrayList<>();
    for (String id : split.caseIds()) {
      int fold = split.foldOf(id);
      Map<String, List<InferStage.Member>> members = new LinkedHashMap<>();
      for (String p : config.pipelines().keySet()) {
        List<InferStage.Member> ms =
            ok.stream()
                .filter(m -> m.getPipeline().equals(p) && m.getFold() == fold)
                .map(this::member)
                .toList();
        if (!ms.isEmpty()) {
          members.put(p, ms);
        }
      }
      if (members.size() == config.pipelines().size()) {
        jobs.add(
            new InferStage.CaseJob(
                id, shared.caseDir(id).toString(), members, fingerprints.getOrDefault(id, "")));
      } else {
        LOG.warn(
            "infer oof: case {} skipped: fold {} has no trained model for some pipeline", id, fold);
      }
    }
    return new InferStage().run(spark, inferSettings(results, "oof"), jobs);
  }

  /**
   * The test archive: preprocessed under {@code test/}, segmented by every fold's models, or with
   * {@code ensemble.models} set by that ensemble ({@link #withTestEnsemble}): TTA, threshold, merge
   * and precision from this run's {@code ensemble} section where it sets them, else the ensemble's
   * own; the source and its selection are a fingerprint ingredient of every test labelmap.
   */
  public List<InferStage.Prediction> inferTest() throws IOException {
    if (config.testArchive() == null) {
      return List.of();
    }
    RunConfig.EnsembleSettings own = config.ensemble();
    if (own.models() != null) {
      if (testEnsemble == null) {
        throw new IllegalStateException(
            "ensemble.models (" + own.models() + ") is set but its ensemble was not loaded");
      }
      Labeling labeling = testEnsemble.labeling().takingFrom(own.labeling(), own.given());
      if (!testEnsemble.members().keySet().containsAll(labeling.merge())) {
        throw new IOException(
            "ensemble.merge "
                + labeling.merge()
                + " names pipelines the ensemble of ensemble.models ("
                + own.models()
                + ") does not have: it has "
                + testEnsemble.members().keySet());
      }
      String source =
          Fingerprint.builder()
              .add("models", own.models())
              .add("selection", testEnsemble.selection())
              .build()
              .hash();
      return inferTest(testEnsemble.members(), testSettings(labeling, source));
    }
    Map<String, List<InferStage.Member>> members = new LinkedHashMap<>();
    for (ModelRow m : models()) {
      if (m.isOk()) {
        members.computeIfAbsent(m.getPipeline(), k -> new ArrayList<>()).add(member(m));
      }
    }
    return inferTest(members, inferSettings(results.test(), "test"));
  }

  /**
   * The test archive segmented by {@code ensemble} (a sweep's selected ensemble) with its own
   * labeling and selection, into this run's {@code test/predictions/}.
   */
  public List<InferStage.Prediction> inferTest(TrainedEnsemble ensemble) throws IOException {
    if (config.testArchive() == null) {
      return List.of();
    }
    return inferTest(ensemble.members(), testSettings(ensemble.labeling(), ensemble.selection()));
  }

  private InferStage.Settings testSettings(Labeling labeling, String selection) {
    return new InferStage.Settings(
        results.test().root(),
        "test",
        labeling,
        config.compute().casesPerTask(),
        config.compute().engineThreads(),
        config.compute().inferGpuShare(),
        selection,
        config.compute().device(),
        config.ensemble().ttaBatchBytes());
  }

  private List<InferStage.Prediction> inferTest(
      Map<String, List<InferStage.Member>> members, InferStage.Settings settings)
      throws IOException {
    RunFolder test = shared.test();
    // the members' normalisations (an external ensemble's may differ from this run's)
    Set<Normalization> norms = EnumSet.copyOf(normalizations);
    members.values().forEach(ms -> ms.forEach(m -> norms.add(m.normalization())));
    PreprocessStage.Result pre =
        new PreprocessStage().run(spark, preprocessSettings(config.testArchive(), test, norms));
    List<InferStage.CaseJob> jobs = new ArrayList<>();
    for (CaseManifestRow r : pre.ok()) {
      jobs.add(
          new InferStage.CaseJob(
              r.getCaseId(), test.caseDir(r.getCaseId()).toString(), members, r.getFingerprint()));
    }
    List<InferStage.Prediction> preds = new InferStage().run(spark, settings, jobs);
    List<InferStage.Prediction> withErrors = new ArrayList<>(preds);
    for (CaseManifestRow r : pre.errors()) {
      withErrors.add(
          new InferStage.Prediction(
              "test", r.getCaseId(), "", "", r.getHasLabel(), r.getReason(), 0, ""));
    }
    return withErrors;
  }

  /** Scores every labelled prediction listed in the prediction indexes. */
  public EvaluateStage.Result evaluate(List<InferStage.Prediction> predictions) throws IOException {
    List<EvaluateStage.Item> items = new ArrayList<>();
    for (InferStage.Prediction p : predictions) {
      if (p.ok()) {
        items.add(
            new EvaluateStage.Item(
                p.labelmapSet(), p.caseId(), p.file(), p.caseDir(), p.fingerprint()));
      }
    }
    EvaluateStage.Result r =
        new EvaluateStage()
            .run(
                spark,
                new EvaluateStage.Settings(
                    results.root(), config.metricConventions(), config.compute().casesPerTask()),
                items);
    writeProvenance();
    return r;
  }

  /** The predictions listed by earlier infer runs ({@code *-index.csv}), for the evaluate stage. */
  public List<InferStage.Prediction> predictionsOnDisk() throws IOException {
    List<InferStage.Prediction> out = new ArrayList<>();
    FileSystem fs = fs();
    // (where the index is, where its cases were preprocessed)
    for (var index :
        List.of(
            Map.entry(results.predictionIndex("oof"), shared),
            Map.entry(results.test().predictionIndex("test"), shared.test()))) {
      if (!fs.exists(index.getKey())) {
        continue;
      }
      for (InferStage.Prediction p : InferStage.INDEX.read(fs, index.getKey())) {
        if (p.ok()) {
          out.add(
              new InferStage.Prediction(
                  p.labelmapSet(),
                  p.caseId(),
                  p.file(),
                  index.getValue().caseDir(p.caseId()).toString(),
                  p.hasLabel(),
                  null,
                  0,
                  p.fingerprint()));
        }
      }
    }
    return out;
  }

  /** Scores the labelled predictions of earlier infer runs. */
  public EvaluateStage.Result evaluateOnDisk() throws IOException {
    List<InferStage.Prediction> labelled = new ArrayList<>();
    for (InferStage.Prediction p : predictionsOnDisk()) {
      if (p.hasLabel()) {
        labelled.add(p);
      }
    }
    return evaluate(labelled);
  }

  /** Every stage in order. */
  public Outcome all() throws IOException {
    saveConfig();
    PreprocessStage.Result pre = preprocess();
    folds();
    TrainStage.Result trained = train();
    return score(pre.errors(), trained.failed());
  }

  /**
   * The stages after training: out-of-fold and test inference with this variant's models, then
   * evaluation; the failures of the earlier stages are passed through to the outcome.
   */
  public Outcome score(List<CaseManifestRow> failedCases, List<ModelRow> failedModels)
      throws IOException {
    return score(failedCases, failedModels, true);
  }

  /**
   * As {@link #score(List, List)}; without {@code test}, out of fold only (the variants of a sweep
   * with a selected ensemble: the selection segments the test archive).
   */
  public Outcome score(List<CaseManifestRow> failedCases, List<ModelRow> failedModels, boolean test)
      throws IOException {
    List<InferStage.Prediction> preds = new ArrayList<>(inferOutOfFold());
    if (test) {
      preds.addAll(inferTest());
    }
    List<InferStage.Prediction> labelled = new ArrayList<>();
    for (InferStage.Prediction p : preds) {
      if (p.ok() && p.hasLabel()) {
        labelled.add(p);
      }
    }
    EvaluateStage.Result eval = evaluate(labelled);
    List<String> failedPredictions =
        preds.stream()
            .filter(p -> !p.ok())
            .map(p -> p.caseId() + ": " + p.error())
            .distinct()
            .toList();
    return new Outcome(failedCases, failedModels, failedPredictions, eval);
  }
}
