package org.bratscv.jobs.run;

import java.io.Serializable;
import org.apache.hadoop.fs.Path;
import org.bratscv.data.labels.Region;
import org.bratscv.data.uncertainty.UncertaintyMaps;
import org.bratscv.jobs.io.OutputRoot;

/**
 * The run folder, the contract between the stages: every path any stage, the sweep, {@code
 * segment}, the report or a test uses is named here, and nowhere else. On any Hadoop file system.
 *
 * <pre>
 * config.yaml                     the resolved configuration
 * provenance.json                 versions, commit, devices, config hash, input fingerprints
 * preprocess/manifest.parquet|csv one row per case (ok / error + reason, fingerprint)
 * preprocess/cases/&lt;id&gt;/         the preprocessed case; case.json (written last) says what made it
 * folds.json                      the K-fold split
 * train/&lt;variant&gt;/&lt;pipeline&gt;/fold&lt;k&gt;/  checkpoints, final/, log.csv, fingerprint.json
 * train/log.parquet|csv           every task's epochs
 * train/models.parquet|csv        the models manifest (one row per task, with its fingerprint)
 * predictions/&lt;set&gt;/&lt;id&gt;.nii.gz  labelmaps of the out-of-fold sets (oof-A, oof-B, oof-merged)
 * predictions/&lt;set&gt;/labels.ctbl, labels.itksnap.txt  3D Slicer / ITK-SNAP colours and names of the labels
 * predictions/&lt;set&gt;/uncertainty/&lt;id&gt;_unc_{whole,core,enhance}.nii.gz  uint8 0..100 maps
 * predictions/oof-index.csv       one row per labelmap (ok / error, fingerprint)
 * predictions/oof-fingerprints.json  what made the labelmaps: settings, and per case its models and input
 * test/preprocess/..., test/predictions/test-&lt;set&gt;/...   the test archive, the same way
 * evaluate/metrics.parquet|csv    one row per labelmap set, case and region
 * evaluate/summary.csv|md         mean, std, median, quartiles per set, region and metric
 * evaluate/uncertainty.csv        QU-BraTS uncertainty scores, one row per labelmap set, case and region
 * evaluate/fingerprint.json       what the metrics were computed from (predictions, truth, conventions)
 * report/                         index.html, report.md, img/
 * </pre>
 *
 * A sweep root holds {@code sweep.yaml}, {@code FINISHED}, {@code provenance.json}, the shared
 * {@code preprocess/}, {@code folds.json} and {@code train/}, {@code comparison.csv|md} and one
 * results folder per variant, {@code variants/<v>/} (its {@code config.yaml}, {@code predictions/},
 * {@code test/predictions/}, {@code evaluate/}, {@code removal.csv}, {@code DONE}). A sweep with an
 * {@code ensemble} section also holds {@code ensemble.csv} (every candidate model with its
 * validation scores, and whether it was selected) and {@code ensemble/} (the selected ensemble's
 * {@code config.yaml} with its settings, {@code test/predictions/}, {@code evaluate/}). A {@code
 * segment} output folder holds {@code labelmaps/} (with the colour tables, and {@code
 * labelmaps/uncertainty/} after {@code --uncertainty}), {@code probabilities/}, {@code segment.csv}
 * (with the fingerprint of the ensemble that made each labelmap) and {@code fingerprint.json} (the
 * ensemble and settings of the folder). A run command holds the output folder's {@code
 * brats-cv.lock} ({@link org.bratscv.jobs.io.RunLock}) while it runs; a sweep's on the folder above
 * its runs.
 */
public final class RunFolder implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String CONFIG_YAML = "config.yaml";
  public static final String PROVENANCE_JSON = "provenance.json";
  public static final String FINGERPRINT_JSON = "fingerprint.json";
  public static final String FOLDS_JSON = "folds.json";
  public static final String TASK_LOG = "log.csv";
  public static final String DONE = "DONE";
  public static final String SWEEP_YAML = "sweep.yaml";
  public static final String FINISHED = "FINISHED";
  public static final String LABELMAPS = "labelmaps";
  public static final String PROBABILITIES = "probabilities";
  public static final String NIFTI_GZ = ".nii.gz";
  public static final String SEGMENT_CSV = "segment.csv";
  public static final String SLICER_COLOUR_TABLE = "labels.ctbl";
  public static final String ITKSNAP_LABELS = "labels.itksnap.txt";
  public static final String UNCERTAINTY = "uncertainty";

  private final OutputRoot root;

  public RunFolder(OutputRoot root) {
    this.root = root;
  }

  public RunFolder(String uri) {
    this(new OutputRoot(uri));
  }

  public OutputRoot root() {
    return root;
  }

  public Path path() {
    return root.path();
  }

  public String uri() {
    return root.uri();
  }

  // ----- run level

  public Path configYaml() {
    return root.resolve(CONFIG_YAML);
  }

  public Path provenance() {
    return root.resolve(PROVENANCE_JSON);
  }

  public Path foldsJson() {
    return root.resolve(FOLDS_JSON);
  }

  // ----- preprocess

  public Path preprocessDir() {
    return root.resolve("preprocess");
  }

  public Path caseManifestParquet() {
    return root.resolve("preprocess", "manifest.parquet");
  }

  public Path caseManifestCsv() {
    return root.resolve("preprocess", "manifest.csv");
  }

  /** The folder of one preprocessed case. */
  public Path caseDir(String caseId) {
    return root.resolve("preprocess", "cases", caseId);
  }

  // ----- train

  public Path trainDir() {
    return root.resolve("train");
  }

  /** The checkpoint folder of one training task. */
  public Path taskDir(String variant, String pipeline, int fold) {
    return root.resolve("train", variant, pipeline, "fold" + fold);
  }

  /** A glob of every task's own {@code log.csv} (rewritten after each epoch). */
  public Path taskLogs() {
    return new Path(trainDir(), "*/*/fold*/" + TASK_LOG);
  }

  public Path trainLogParquet() {
    return root.resolve("train", "log.parquet");
  }

  public Path trainLogCsv() {
    return root.resolve("train", "log.csv");
  }

  public Path modelsParquet() {
    return root.resolve("train", "models.parquet");
  }

  public Path modelsCsv() {
    return root.resolve("train", "models.csv");
  }

  // ----- predictions (out-of-fold here, the test archive's under test())

  public Path predictionsDir() {
    return root.resolve("predictions");
  }

  /** The folder of one labelmap set, e.g. {@code oof-merged}. */
  public Path predictionSet(String set) {
    return root.resolve("predictions", set);
  }

  public Path prediction(String set, String caseId) {
    return root.resolve("predictions", set, caseId + NIFTI_GZ);
  }

  /** {@code predictions/<prefix>-index.csv}: one row per labelmap of the sets of a prefix. */
  public Path predictionIndex(String prefix) {
    return root.resolve("predictions", prefix + "-index.csv");
  }

  /** {@code predictions/<prefix>-fingerprints.json}: what made each case's labelmaps. */
  public Path predictionFingerprints(String prefix) {
    return root.resolve("predictions", prefix + "-fingerprints.json");
  }

  /** The test archive's folder: its own {@code preprocess/} and {@code predictions/}. */
  public RunFolder test() {
    return new RunFolder(new OutputRoot(root.resolve("test").toString()));
  }

  // ----- evaluate

  public Path evaluateDir() {
    return root.resolve("evaluate");
  }

  public Path metricsParquet() {
    return root.resolve("evaluate", "metrics.parquet");
  }

  public Path metricsCsv() {
    return root.resolve("evaluate", "metrics.csv");
  }

  public Path summaryCsv() {
    return root.resolve("evaluate", "summary.csv");
  }

  public Path summaryMd() {
    return root.resolve("evaluate", "summary.md");
  }

  /** {@code evaluate/uncertainty.csv}: the QU-BraTS scores of the uncertainty maps. */
  public Path uncertaintyCsv() {
    return root.resolve("evaluate", "uncertainty.csv");
  }

  public Path reportDir() {
    return root.resolve("report");
  }

  // ----- sweeps

  public Path sweepYaml() {
    return root.resolve(SWEEP_YAML);
  }

  /**
   * A sweep run's marker that its last start reached its end (comparison written, failures or not);
   * removed when the run starts, so an interrupted run lacks it.
   */
  public Path finished() {
    return root.resolve(FINISHED);
  }

  public Path comparisonCsv() {
    return root.resolve("comparison.csv");
  }

  public Path comparisonMd() {
    return root.resolve("comparison.md");
  }

  public Path variantsDir() {
    return root.resolve("variants");
  }

  /** The results folder of one variant of a sweep. */
  public RunFolder variant(String name) {
    return new RunFolder(new OutputRoot(root.resolve("variants", name).toString()));
  }

  /**
   * {@code ensemble.csv} of a sweep root: the candidate models of its {@code ensemble} section with
   * their validation scores, rank and whether each was selected.
   */
  public Path ensembleCsv() {
    return root.resolve("ensemble.csv");
  }

  /**
   * The results folder of a sweep's selected ensemble: its {@code config.yaml} (the ensemble
   * settings), {@code test/predictions/} and {@code evaluate/}.
   */
  public RunFolder ensemble() {
    return new RunFolder(new OutputRoot(root.resolve("ensemble").toString()));
  }

  /** A variant's marker of a finished, clean scoring. */
  public Path done() {
    return root.resolve(DONE);
  }

  /** A patient-removal variant's ranking of the training cases. */
  public Path removalCsv() {
    return root.resolve("removal.csv");
  }

  // ----- segment

  public Path labelmapsDir() {
    return root.resolve(LABELMAPS);
  }

  public Path probabilitiesDir() {
    return root.resolve(PROBABILITIES);
  }

  public Path labelmap(String caseId) {
    return root.resolve(LABELMAPS, caseId + NIFTI_GZ);
  }

  public Path probabilities(String caseId) {
    return root.resolve(PROBABILITIES, caseId + NIFTI_GZ);
  }

  public Path segmentCsv() {
    return root.resolve(SEGMENT_CSV);
  }

  // ----- viewer colour tables, next to the labelmaps of a folder

  /** 3D Slicer's colour table of the labelmaps in {@code labelmapDir}. */
  public static Path slicerColourTable(Path labelmapDir) {
    return new Path(labelmapDir, SLICER_COLOUR_TABLE);
  }

  /** ITK-SNAP's label description file of the labelmaps in {@code labelmapDir}. */
  public static Path itkSnapLabels(Path labelmapDir) {
    return new Path(labelmapDir, ITKSNAP_LABELS);
  }

  /** The fingerprint record of this folder itself (a {@code segment} output folder). */
  public Path fingerprint() {
    return root.resolve(FINGERPRINT_JSON);
  }

  /** {@code evaluate/fingerprint.json}. */
  public Path evaluateFingerprint() {
    return root.resolve("evaluate", FINGERPRINT_JSON);
  }

  /**
   * The folder of the uncertainty maps that go with the labelmaps of {@code labelmapFolder}: its
   * {@code uncertainty/} subfolder (apart, so that no listing of labelmaps ever sees a map).
   */
  public static Path uncertaintyDir(Path labelmapFolder) {
    return new Path(labelmapFolder, UNCERTAINTY);
  }

  /**
   * The uncertainty map of one region that goes with {@code labelmap} ({@code
   * <folder>/<id>.nii.gz}), named as the BraTS 2020 uncertainty task wants: {@code
   * <folder>/uncertainty/<id>_unc_{whole,core,enhance}.nii.gz}.
   */
  public static Path uncertaintyOf(Path labelmap, Region region) {
    String name = labelmap.getName();
    if (!name.endsWith(NIFTI_GZ)) {
      throw new IllegalArgumentException("labelmap " + labelmap + " does not end in " + NIFTI_GZ);
    }
    String id = name.substring(0, name.length() - NIFTI_GZ.length());
    return new Path(
        uncertaintyDir(labelmap.getParent()),
        id + "_unc_" + UncertaintyMaps.fileWord(region) + NIFTI_GZ);
  }

  /** The fingerprint record of a folder of outputs (a labelmap set, evaluate/, a task). */
  public static Path fingerprintOf(Path folder) {
    return new Path(folder, FINGERPRINT_JSON);
  }

  @Override
  public String toString() {
    return root.uri();
  }
}
