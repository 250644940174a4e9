package org.bratscv.jobs.stages;

import java.io.Serializable;
import java.util.Locale;
import org.bratscv.jobs.run.Table;
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

  /** {@code train/log.csv} (and each task's own {@code log.csv}) and {@code train/log.parquet}. */
  public static final Table<EpochRow> TABLE =
      Table.<EpochRow>builder("training log")
          .column("variant", EpochRow::getVariant)
          .column("pipeline", EpochRow::getPipeline)
          .column("fold", r -> Integer.toString(r.fold))
          .column("epoch", r -> Integer.toString(r.epoch))
          .column("phase", EpochRow::getPhase)
          .column("train_loss", r -> String.format(Locale.ROOT, "%.6f", r.trainLoss))
          .column("val_loss", r -> MetricRow.num(r.validationLoss))
          .column("val_dice_et", r -> MetricRow.num(r.diceEt))
          .column("val_dice_tc", r -> MetricRow.num(r.diceTc))
          .column("val_dice_wt", r -> MetricRow.num(r.diceWt))
          .column("lr", r -> String.format(Locale.ROOT, "%.3e", r.learningRate))
          .column("seconds", r -> String.format(Locale.ROOT, "%.2f", r.seconds))
          .optReader(EpochRow::read)
          .optParquet(
              EpochRow.class,
              "variant",
              "pipeline",
              "fold",
              "epoch",
              "phase",
              "trainLoss",
              "validationLoss",
              "diceEt",
              "diceTc",
              "diceWt",
              "learningRate",
              "seconds")
          .build();

  private static EpochRow read(Table.Record v) {
    EpochRow r = new EpochRow();
    r.variant = v.text("variant");
    r.pipeline = v.text("pipeline");
    r.fold = v.integer("fold");
    r.epoch = v.integer("epoch");
    r.phase = v.text("phase");
    r.trainLoss = v.number("train_loss");
    r.validationLoss = v.numberOrNull("val_loss");
    r.diceEt = v.numberOrNull("val_dice_et");
    r.diceTc = v.numberOrNull("val_dice_tc");
    r.diceWt = v.numberOrNull("val_dice_wt");
    r.learningRate = v.number("lr");
    r.seconds = v.number("seconds");
    return r;
  }

  /** Mean validation Dice over ET, TC and WT; NaN on epochs without validation. */
  public double meanValidationDice() {
    return diceEt == null || diceTc == null || diceWt == null
        ? Double.NaN
        : (diceEt + diceTc + diceWt) / 3;
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
