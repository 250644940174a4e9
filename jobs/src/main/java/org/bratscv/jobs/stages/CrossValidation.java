package org.bratscv.jobs.stages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.data.preprocess.Normalization;
import org.bratscv.jobs.config.PipelineSettings;
import org.bratscv.jobs.config.RunConfig;
import org.bratscv.jobs.io.OutputRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages of a cross-validation run, each reading what the one before wrote under the output
 * root, so that any of them can be run (or rerun) on its own, and {@link #all} chains them:
 * preprocess -> folds -> train -> infer (out-of-fold, and the ensemble on the test archive) ->
 * evaluate. Layout of the output root:
 *
 * <pre>
 * config.yaml                 the resolved configuration
 * preprocess/                 manifest.parquet, manifest.csv, cases/&lt;id&gt;/
 * folds.json
 * train/                      &lt;variant&gt;/&lt;pipeline&gt;/fold&lt;k&gt;/ checkpoints, log.*, models.*
 * predictions/                oof-&lt;pipeline&gt;/, oof-merged/ labelmaps, oof-index.csv
 * test/preprocess/, test/predictions/test-*&#47;   the test archive, by the whole ensemble
 * evaluate/                   metrics.parquet, metrics.csv, summary.csv, summary.md
 * </pre>
 */
public final class CrossValidation {
  private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);
  public static final String VARIANT = "baseline";

  private final SparkSession spark;
  private final RunConfig config;
  private final String variant;

  /** preprocess/, folds.json, train/ (shared by the variants of a sweep) */
  private final OutputRoot out;

  /** config.yaml, predictions/, evaluate/ (one per variant of a sweep) */
  private final OutputRoot results;

  /** the test archive's preprocess/ */
  private final OutputRoot test;

  /** the test archive's predictions/ */
  private final OutputRoot testResults;

  /** the normalisations preprocessing writes (a sweep's variants may need more than this one) */
  private final Set<Normalization> normalizations;

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
    this.spark = spark;
    this.normalizations = normalizations;
    this.config = config;
    this.variant = variant;
    this.out = shared;
    this.results = results;
    this.test = new OutputRoot(shared.resolve("test").toString());
    this.testResults = new OutputRoot(results.resolve("test").toString());
  }

  public OutputRoot results() {
    return results;
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

  /** Writes the resolved configuration beside the outputs. */
  public void saveConfig() throws IOException {
    FileSystem fs = results.fileSystem(hadoop());
    byte[] yaml = config.resolvedYaml().getBytes(StandardCharsets.UTF_8);
    OutputRoot.writeAtomically(fs, results.resolve("config.yaml"), o -> o.write(yaml));
    // config.yaml and folds.json of a killed run (the stages clean their own folders)
    OutputRoot.removeTemporaries(fs, results.path(), false);
    if (!results.uri().equals(out.uri())) {
      OutputRoot.removeTemporaries(fs, out.path(), false);
    }
  }

  public PreprocessStage.Result preprocess() throws IOException {
    return new PreprocessStage().run(spark, preprocessSettings(config.trainArchive(), out));
  }

  private PreprocessStage.Settings preprocessSettings(String archive, OutputRoot root) {
    return new PreprocessStage.Settings(
        archive,
        root,
        normalizations,
        config.labelScheme(),
        config.compute().casesPerTask(),
        config.maxVoxelBytes());
  }

  /** The cases that preprocessed cleanly, from the manifest on disk. */
  List<CaseManifestRow> manifest(OutputRoot root) {
    return spark
        .read()
        .parquet(root.resolve("preprocess", "manifest.parquet").toString())
        .as(Encoders.bean(CaseManifestRow.class))
        .collectAsList();
  }

  public FoldSplit folds() throws IOException {
    List<String> usable =
        manifest(out).stream()
            .filter(r -> r.isOk() && r.getHasLabel())
            .map(CaseManifestRow::getCaseId)
            .toList();
    return new FoldsStage()
        .run(
            hadoop(),
            new FoldsStage.Settings(out, config.folds(), config.seed(), config.splitFile()),
            usable);
  }

  private TrainStage.Settings trainSettings(FoldSplit split) {
    return new TrainStage.Settings(
        out, Map.of(variant, config.pipelines()), split, config.compute(), 64);
  }

  public TrainStage.Result train() throws IOException {
    FoldSplit split = FoldsStage.read(hadoop(), out);
    TrainStage.Settings s = trainSettings(split);
    return new TrainStage().run(spark, s, TrainStage.allTasks(s));
  }

  /** This variant's trained models, from the manifest on disk. */
  List<ModelRow> models() {
    return spark
        .read()
        .parquet(out.resolve("train", "models.parquet").toString())
        .as(Encoders.bean(ModelRow.class))
        .collectAsList()
        .stream()
        .filter(m -> variant.equals(m.getVariant()))
        .toList();
  }

  private InferStage.Member member(ModelRow m) {
    PipelineSettings p = config.pipelines().get(m.getPipeline());
    return new InferStage.Member(
        m.getPipeline(),
        m.getFold(),
        TrainStage.taskDir(out, new TrainStage.Task(m.getVariant(), m.getPipeline(), m.getFold()))
            .toString(),
        p.normalization(),
        p.network());
  }

  private InferStage.Settings inferSettings(OutputRoot root, String prefix) {
    return new InferStage.Settings(
        root,
        prefix,
        config.ensemble().tta(),
        config.ensemble().threshold(),
        config.ensemble().merge(),
        config.ensemble().precision(),
        config.compute().casesPerTask(),
        config.compute().engineThreads(),
        config.compute().inferGpuShare());
  }

  /**
   * For patient removal: every case of the split with this variant's models that trained on it (the
   * models of the folds that did not hold it out).
   */
  public List<TrainingLossStage.CaseJob> trainingLossJobs() throws IOException {
    FoldSplit split = FoldsStage.read(hadoop(), out);
    List<ModelRow> ok = models().stream().filter(ModelRow::isOk).toList();
    List<TrainingLossStage.CaseJob> jobs = new ArrayList<>();
    for (String id : split.caseIds()) {
      int heldOutBy = split.foldOf(id);
      List<InferStage.Member> members =
          ok.stream().filter(m -> m.getFold() != heldOutBy).map(this::member).toList();
      if (!members.isEmpty()) {
        jobs.add(
            new TrainingLossStage.CaseJob(
                id, PreparedCaseFiles.caseDir(out, id).toString(), members));
      }
    }
    return jobs;
  }

  /** Out-of-fold: every case of the split by the models of the fold that held it out. */
  public List<InferStage.Prediction> inferOutOfFold() throws IOException {
    FoldSplit split = FoldsStage.read(hadoop(), out);
    List<ModelRow> ok = models().stream().filter(ModelRow::isOk).toList();
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
            new InferStage.CaseJob(id, PreparedCaseFiles.caseDir(out, id).toString(), members));
      } else {
        LOG.warn(
            "infer oof: case {} skipped: fold {} has no trained model for some pipeline", id, fold);
      }
    }
    return new InferStage().run(spark, inferSettings(results, "oof"), jobs);
  }

  /** The test archive: preprocessed under {@code test/}, segmented by every fold's models. */
  public List<InferStage.Prediction> inferTest() throws IOException {
    if (config.testArchive() == null) {
      return List.of();
    }
    PreprocessStage.Result pre =
        new PreprocessStage().run(spark, preprocessSettings(config.testArchive(), test));
    Map<String, List<InferStage.Member>> members = new LinkedHashMap<>();
    for (ModelRow m : models()) {
      if (m.isOk()) {
        members.computeIfAbsent(m.getPipeline(), k -> new ArrayList<>()).add(member(m));
      }
    }
    List<InferStage.CaseJob> jobs = new ArrayList<>();
    for (CaseManifestRow r : pre.ok()) {
      jobs.add(
          new InferStage.CaseJob(
              r.getCaseId(), PreparedCaseFiles.caseDir(test, r.getCaseId()).toString(), members));
    }
    List<InferStage.Prediction> preds =
        new InferStage().run(spark, inferSettings(testResults, "test"), jobs);
    List<InferStage.Prediction> withErrors = new ArrayList<>(preds);
    for (CaseManifestRow r : pre.errors()) {
      withErrors.add(
          new InferStage.Prediction(
              "test", r.getCaseId(), "", "", r.getHasLabel(), r.getReason(), 0));
    }
    return withErrors;
  }

  /** Scores every labelled prediction listed in the prediction indexes. */
  public EvaluateStage.Result evaluate(List<InferStage.Prediction> predictions) throws IOException {
    List<EvaluateStage.Item> items = new ArrayList<>();
    for (InferStage.Prediction p : predictions) {
      if (p.ok()) {
        items.add(new EvaluateStage.Item(p.labelmapSet(), p.caseId(), p.file(), p.caseDir()));
      }
    }
    return new EvaluateStage()
        .run(
            spark,
            new EvaluateStage.Settings(
                results, config.emptyHd95(), config.compute().casesPerTask()),
            items);
  }

  /** The predictions listed by earlier infer runs ({@code *-index.csv}), for the evaluate stage. */
  public List<InferStage.Prediction> predictionsOnDisk() throws IOException {
    List<InferStage.Prediction> out = new ArrayList<>();
    FileSystem fs = results.fileSystem(hadoop());
    for (org.apache.hadoop.fs.Path index :
        List.of(
            results.resolve("predictions", "oof-index.csv"),
            testResults.resolve("predictions", "test-index.csv"))) {
      if (!fs.exists(index)) {
        continue;
      }
      OutputRoot root =
          index.toString().startsWith(testResults.resolve("predictions").toString())
              ? test
              : this.out;
      for (org.apache.spark.sql.Row r :
          spark.read().option("header", "true").csv(index.toString()).collectAsList()) {
        if ("ok".equals(r.getAs("status"))) {
          String id = r.getAs("case_id");
          out.add(
              new InferStage.Prediction(
                  r.getAs("labelmap_set"),
                  id,
                  r.getAs("file"),
                  PreparedCaseFiles.caseDir(root, id).toString(),
                  Boolean.parseBoolean(r.getAs("has_label")),
                  null,
                  0));
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
    List<InferStage.Prediction> preds = new ArrayList<>(inferOutOfFold());
    preds.addAll(inferTest());
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
