package org.bratscv.jobs.stages;

import java.io.Serializable;
import java.util.Locale;
import org.bratscv.jobs.run.Table;

/**
 * One row of the models manifest ({@code train/models.csv}, {@code train/models.parquet}): a
 * trained model of one (variant, pipeline, fold), where its final weights are and how to rebuild
 * its network; or, with status {@code error}, why the task failed. A JavaBean for Spark.
 */
public final class ModelRow implements Serializable {
  private static final long serialVersionUID = 1L;

  private String variant;
  private String pipeline;
  private int fold;
  private String status;
  private String reason;
  private String checkpoint;
  private String normalization;
  private int width;
  private String norm;
  private boolean deepSupervision;
  private boolean attention;
  private String finalWeights;
  private int epochs;
  private int bestEpoch;
  private int resumedAfter;
  private int trainCases;
  private String device;
  private String sparkGpu;
  private double seconds;
  private String fingerprint;

  public ModelRow() {}

  public boolean isOk() {
    return "ok".equals(status);
  }

  /** {@code train/models.csv} and {@code train/models.parquet}. */
  public static final Table<ModelRow> TABLE =
      Table.<ModelRow>builder("models manifest")
          .column("variant", ModelRow::getVariant)
          .column("pipeline", ModelRow::getPipeline)
          .column("fold", r -> Integer.toString(r.fold))
          .column("status", ModelRow::getStatus)
          .column("reason", ModelRow::getReason)
          .column("checkpoint", ModelRow::getCheckpoint)
          .column("normalization", ModelRow::getNormalization)
          .column("width", r -> Integer.toString(r.width))
          .column("norm", ModelRow::getNorm)
          .column("deep_supervision", r -> Boolean.toString(r.deepSupervision))
          .column("attention", r -> Boolean.toString(r.attention))
          .column("final_weights", ModelRow::getFinalWeights)
          .column("epochs", r -> Integer.toString(r.epochs))
          .column("best_epoch", r -> Integer.toString(r.bestEpoch))
          .column("resumed_after", r -> Integer.toString(r.resumedAfter))
          .column("train_cases", r -> Integer.toString(r.trainCases))
          .column("device", ModelRow::getDevice)
          .column("spark_gpu", ModelRow::getSparkGpu)
          .column("seconds", r -> String.format(Locale.ROOT, "%.1f", r.seconds))
          .column("fingerprint", ModelRow::getFingerprint)
          .optReader(ModelRow::read)
          .optParquet(
              ModelRow.class,
              "variant",
              "pipeline",
              "fold",
              "status",
              "reason",
              "checkpoint",
              "normalization",
              "width",
              "norm",
              "deepSupervision",
              "attention",
              "finalWeights",
              "epochs",
              "bestEpoch",
              "resumedAfter",
              "trainCases",
              "device",
              "sparkGpu",
              "seconds",
              "fingerprint")
          .build();

  private static ModelRow read(Table.Record r) {
    ModelRow m = new ModelRow();
    m.variant = r.text("variant");
    m.pipeline = r.text("pipeline");
    m.fold = r.integer("fold");
    m.status = r.text("status");
    m.reason = r.text("reason");
    m.checkpoint = r.text("checkpoint", "");
    m.normalization = r.text("normalization");
    m.width = r.integer("width");
    m.norm = r.text("norm");
    m.deepSupervision = r.bool("deep_supervision");
    m.attention = r.bool("attention");
    m.finalWeights = r.text("final_weights", "");
    m.epochs = r.has("epochs") ? r.integer("epochs") : 0;
    m.bestEpoch = r.has("best_epoch") ? r.integer("best_epoch") : -1;
    m.resumedAfter = r.has("resumed_after") ? r.integer("resumed_after") : -1;
    m.trainCases = r.has("train_cases") ? r.integer("train_cases") : 0;
    m.device = r.text("device", "");
    m.sparkGpu = r.text("spark_gpu", "");
    m.seconds = r.has("seconds") ? r.number("seconds") : 0;
    // a manifest of an older brats-cv has no fingerprints: its models count as stale
    m.fingerprint = r.text("fingerprint", "");
    return m;
  }

  public String getVariant() {
    return variant;
  }

  public void setVariant(String variant) {
    this.variant = variant;
  }

  public String getPipeline() {
    return pipeline;
  }

  public void setPipeline(String pipeline) {
    this.pipeline = pipeline;
  }

  public int getFold() {
    return fold;
  }

  public void setFold(int fold) {
    this.fold = fold;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getCheckpoint() {
    return checkpoint;
  }

  public void setCheckpoint(String checkpoint) {
    this.checkpoint = checkpoint;
  }

  public String getNormalization() {
    return normalization;
  }

  public void setNormalization(String normalization) {
    this.normalization = normalization;
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int width) {
    this.width = width;
  }

  public String getNorm() {
    return norm;
  }

  public void setNorm(String norm) {
    this.norm = norm;
  }

  public boolean getDeepSupervision() {
    return deepSupervision;
  }

  public void setDeepSupervision(boolean deepSupervision) {
    this.deepSupervision = deepSupervision;
  }

  public boolean getAttention() {
    return attention;
  }

  public void setAttention(boolean attention) {
    this.attention = attention;
  }

  public String getFinalWeights() {
    return finalWeights;
  }

  public void setFinalWeights(String finalWeights) {
    this.finalWeights = finalWeights;
  }

  public int getEpochs() {
    return epochs;
  }

  public void setEpochs(int epochs) {
    this.epochs = epochs;
  }

  public int getBestEpoch() {
    return bestEpoch;
  }

  public void setBestEpoch(int bestEpoch) {
    this.bestEpoch = bestEpoch;
  }

  public int getResumedAfter() {
    return resumedAfter;
  }

  public void setResumedAfter(int resumedAfter) {
    this.resumedAfter = resumedAfter;
  }

  /** How many training cases the model was trained on (after any patient removal). */
  public int getTrainCases() {
    return trainCases;
  }

  public void setTrainCases(int trainCases) {
    this.trainCases = trainCases;
  }

  public String getDevice() {
    return device;
  }

  public void setDevice(String device) {
    this.device = device;
  }

  /**
   * The GPU Spark's scheduler reserved for the training task ({@code gpu:N}, its address on the
   * executor), empty without GPU scheduling. {@link #getDevice} is where the model trained: the
   * same GPU, or {@code cpu} when {@code compute.device} is {@code cpu}.
   */
  public String getSparkGpu() {
    return sparkGpu;
  }

  public void setSparkGpu(String sparkGpu) {
    this.sparkGpu = sparkGpu;
  }

  public double getSeconds() {
    return seconds;
  }

  public void setSeconds(double seconds) {
    this.seconds = seconds;
  }

  /** SHA-256 of what the model was trained from ({@code fingerprint.json} in its folder). */
  public String getFingerprint() {
    return fingerprint;
  }

  public void setFingerprint(String fingerprint) {
    this.fingerprint = fingerprint;
  }
}
