package org.bratscv.jobs.stages;

import java.io.Serializable;
import java.util.Locale;
import org.bratscv.model.train.EpochLog;

/**
 * One epoch of one training task, for {@code train/log.parquet} and {@code train/log.csv}: the
 * model's {@link EpochLog} with the task it belongs to. A JavaBean for Spark's bean encoder; values
 * of epochs without validation are null.
 */
public final class EpochRow implements Serializable {
  private static final long serialVersionUID = 1L;

  private String variant;
  private String pipeline;
  private int fold;
  private int epoch;
  private String phase;
  private double trainLoss;
  private Double validationLoss;
  private Double diceEt;
  private Double diceTc;
  private Double diceWt;
  private double learningRate;
  private double seconds;

  public EpochRow() {}

  static EpochRow of(String variant, String pipeline, int fold, EpochLog l) {
    EpochRow r = new EpochRow();
    r.variant = variant;
    r.pipeline = pipeline;
    r.fold = fold;
    r.epoch = l.epoch();
    r.phase = l.phase();
    r.trainLoss = l.trainLoss();
    r.validationLoss = orNull(l.validationLoss());
    r.diceEt = orNull(l.diceEt());
    r.diceTc = orNull(l.diceTc());
    r.diceWt = orNull(l.diceWt());
    r.learningRate = l.learningRate();
    r.seconds = l.seconds();
    return r;
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  static String[] csvHeader() {
    return new String[] {
      "variant",
      "pipeline",
      "fold",
      "epoch",
      "phase",
      "train_loss",
      "val_loss",
      "val_dice_et",
      "val_dice_tc",
      "val_dice_wt",
      "lr",
      "seconds"
    };
  }

  String[] csvValues() {
    return new String[] {
      variant,
      pipeline,
      Integer.toString(fold),
      Integer.toString(epoch),
      phase,
      String.format(Locale.ROOT, "%.6f", trainLoss),
      MetricRow.num(validationLoss),
      MetricRow.num(diceEt),
      MetricRow.num(diceTc),
      MetricRow.num(diceWt),
      String.format(Locale.ROOT, "%.3e", learningRate),
      String.format(Locale.ROOT, "%.2f", seconds)
    };
  }

  /** Parses a row written by {@link #csvValues()}. */
  static EpochRow parse(String[] v) {
    EpochRow r = new EpochRow();
    r.variant = v[0];
    r.pipeline = v[1];
    r.fold = Integer.parseInt(v[2]);
    r.epoch = Integer.parseInt(v[3]);
    r.phase = v[4];
    r.trainLoss = Double.parseDouble(v[5]);
    r.validationLoss = nullable(v[6]);
    r.diceEt = nullable(v[7]);
    r.diceTc = nullable(v[8]);
    r.diceWt = nullable(v[9]);
    r.learningRate = Double.parseDouble(v[10]);
    r.seconds = Double.parseDouble(v[11]);
    return r;
  }

  private static Double nullable(String s) {
    return s.equals("NaN") ? null : Double.parseDouble(s);
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

  public int getEpoch() {
    return epoch;
  }

  public void setEpoch(int epoch) {
    this.epoch = epoch;
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public double getTrainLoss() {
    return trainLoss;
  }

  public void setTrainLoss(double trainLoss) {
    this.trainLoss = trainLoss;
  }

  public Double getValidationLoss() {
    return validationLoss;
  }

  public void setValidationLoss(Double validationLoss) {
    this.validationLoss = validationLoss;
  }

  public Double getDiceEt() {
    return diceEt;
  }

  public void setDiceEt(Double diceEt) {
    this.diceEt = diceEt;
  }

  public Double getDiceTc() {
    return diceTc;
  }

  public void setDiceTc(Double diceTc) {
    this.diceTc = diceTc;
  }

  public Double getDiceWt() {
    return diceWt;
  }

  public void setDiceWt(Double diceWt) {
    this.diceWt = diceWt;
  }

  public double getLearningRate() {
    return learningRate;
  }

  public void setLearningRate(double learningRate) {
    this.learningRate = learningRate;
  }

  public double getSeconds() {
    return seconds;
  }

  public void setSeconds(double seconds) {
    this.seconds = seconds;
  }
}
