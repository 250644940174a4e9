package org.bratscv.jobs.stages;

import java.io.Serializable;
import java.util.Locale;
import org.bratscv.jobs.run.Table;

/**
 * One row of the results table: a metric set of one region of one case in one labelmap set (e.g.
 * {@code oof-A}, {@code test-merged}). Undefined values (sensitivity with an empty ground truth)
 * are null, so SQL aggregates leave them out. A JavaBean for Spark's bean encoder.
 */
public final class MetricRow implements Serializable {
  private static final long serialVersionUID = 1L;

  private String labelmapSet;
  private String caseId;
  private String region;
  private Double dice;
  private Double hd95;
  private Double sensitivity;
  private Double specificity;

  public MetricRow() {}

  public MetricRow(
      String set,
      String caseId,
      String region,
      double dice,
      double hd95,
      double sens,
      double spec) {
    this.labelmapSet = set;
    this.caseId = caseId;
    this.region = region;
    this.dice = orNull(dice);
    this.hd95 = orNull(hd95);
    this.sensitivity = orNull(sens);
    this.specificity = orNull(spec);
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** {@code evaluate/metrics.csv} and {@code evaluate/metrics.parquet}. */
  public static final Table<MetricRow> TABLE =
      Table.<MetricRow>builder("metrics table")
          .column("labelmap_set", MetricRow::getLabelmapSet)
          .column("case_id", MetricRow::getCaseId)
          .column("region", MetricRow::getRegion)
          .column("dice", r -> num(r.dice))
          .column("hd95", r -> num(r.hd95))
          .column("sensitivity", r -> num(r.sensitivity))
          .column("specificity", r -> num(r.specificity))
          .optReader(
              r ->
                  new MetricRow(
                      r.text("labelmap_set"),
                      r.text("case_id"),
                      r.text("region"),
                      r.number("dice"),
                      r.number("hd95"),
                      r.number("sensitivity"),
                      r.number("specificity")))
          .optParquet(
              MetricRow.class,
              "labelmapSet",
              "caseId",
              "region",
              "dice",
              "hd95",
              "sensitivity",
              "specificity")
          .build();

  /** The Dice, NaN when undefined. */
  public double diceOrNaN() {
    return dice == null ? Double.NaN : dice;
  }

  /** The HD95, NaN when undefined. */
  public double hd95OrNaN() {
    return hd95 == null ? Double.NaN : hd95;
  }

  /** Undefined values are written as NaN, which pandas, R and Spark all read back as NaN. */
  static String num(Double v) {
    return v == null ? "NaN" : String.format(Locale.ROOT, "%.6f", v);
  }

  public String getLabelmapSet() {
    return labelmapSet;
  }

  public void setLabelmapSet(String labelmapSet) {
    this.labelmapSet = labelmapSet;
  }

  public String getCaseId() {
    return caseId;
  }

  public void setCaseId(String caseId) {
    this.caseId = caseId;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public Double getDice() {
    return dice;
  }

  public void setDice(Double dice) {
    this.dice = dice;
  }

  public Double getHd95() {
    return hd95;
  }

  public void setHd95(Double hd95) {
    this.hd95 = hd95;
  }

  public Double getSensitivity() {
    return sensitivity;
  }

  public void setSensitivity(Double sensitivity) {
    this.sensitivity = sensitivity;
  }

  public Double getSpecificity() {
    return specificity;
  }

  public void setSpecificity(Double specificity) {
    this.specificity = specificity;
  }
}
