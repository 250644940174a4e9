package org.bratscv.jobs.stages;

import java.io.Serializable;
import java.util.Locale;

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
  private double seconds;

  public ModelRow() {}

  public boolean isOk() {
    return "ok".equals(status);
  }

  static String[] csvHeader() {
    return new String[] {
      "variant",
      "pipeline",
      "fold",
      "status",
      "reason",
      "checkpoint",
      "normalization",
      "width",
      "norm",
      "deep_supervision",
      "attention",
      "final_weights",
      "epochs",
      "best_epoch",
      "resumed_after",
      "train_cases",
      "device",
      "seconds"
    };
  }

  String[] csvValues() {
    return new String[] {
      variant,
      pipeline,
      Integer.toString(fold),
      status,
      reason,
      checkpoint,
      normalization,
      Integer.toString(width),
      norm,
      Boolean.toString(deepSupervision),
      Boolean.toString(attention),
      finalWeights,
      Integer.toString(epochs),
      Integer.toString(bestEpoch),
      Integer.toString(resumedAfter),
      Integer.toString(trainCases),
      device,
      String.format(Locale.ROOT, "%.1f", seconds)
    };
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

  public double getSeconds() {
    return seconds;
  }

  public void setSeconds(double seconds) {
    this.seconds = seconds;
  }
}
