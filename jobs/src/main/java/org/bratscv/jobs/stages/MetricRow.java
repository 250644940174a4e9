package org.bratscv.jobs.stages;

import java.io.Serializable;
import java.util.Locale;
import org.bratscv.jobs.run.Table;

/**
 * One row of the results table: a metric set of one region of one case in one labelmap set (e.g.
 * {@code oof-A}, {@code test-merged}), scored under the metric convention it names ({@code
 * brats2020} or {@code brats2023-<challenge>}). Undefined values (sensitivity with an empty ground
 * truth; the lesion-wise scores under brats2020) are null, so SQL aggregates leave them out. A
 * JavaBean for Spark's bean encoder.
 */
public final class MetricRow implements Serializable {
  private static final long serialVersionUID = 1L;

  private String labelmapSet;
  private String caseId;
  private String region;
  private String convention;
  private Double dice;
  private Double hd95;
  private Double sensitivity;
  private Double specificity;
  private Double lesionwiseDice;
  private Double lesionwiseHd95;

  public MetricRow() {}

  /** A brats2020 row: no lesion-wise scores. */
  public MetricRow(
      String set,
      String caseId,
      String region,
      double dice,
      double hd95,
      double sens,
      double spec) {
    this(set, caseId, region, "brats2020", dice, hd95, sens, spec, Double.NaN, Double.NaN);
  }

  public MetricRow(
      String set,
      String caseId,
      String region,
      String convention,
      double dice,
      double hd95,
      double sens,
      double spec,
      double lesionwiseDice,
      double lesionwiseHd95) {
    this.labelmapSet = set;
    this.caseId = caseId;
    this.region = region;
    this.convention = convention;
    this.dice = orNull(dice);
    this.hd95 = orNull(hd95);
    this.sensitivity = orNull(sens);
    this.specificity = orNull(spec);
    this.lesionwiseDice = orNull(lesionwiseDice);
    this.lesionwiseHd95 = orNull(lesionwiseHd95);
  }

  /**
   * The bean property (and Parquet column) of a metric key: {@code lesionwise_dice} -> {@code
   * lesionwiseDice}.
   */
  public static String beanProperty(String metricKey) {
    return switch (metricKey) {
      case "lesionwise_dice" -> "lesionwiseDice";
      case "lesionwise_hd95" -> "lesionwiseHd95";
      default -> metricKey;
    };
  }

  /** The value of the metric with key {@code metricKey} ({@code dice}, ...), NaN when undefined. */
  public double valueOrNaN(String metricKey) {
    Double v =
        switch (metricKey) {
          case "dice" -> dice;
          case "hd95" -> hd95;
          case "sensitivity" -> sensitivity;
          case "specificity" -> specificity;
          case "lesionwise_dice" -> lesionwiseDice;
          case "lesionwise_hd95" -> lesionwiseHd95;
          default -> throw new IllegalArgumentException("unknown metric '" + metricKey + "'");
        };
    return v == null ? Double.NaN : v;
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
          .column("convention", MetricRow::getConvention)
          .column("dice", r -> num(r.dice))
          .column("hd95", r -> num(r.hd95))
          .column("sensitivity", r -> num(r.sensitivity))
          .column("specificity", r -> num(r.specificity))
          .column("lesionwise_dice", r -> num(r.lesionwiseDice))
          .column("lesionwise_hd95", r -> num(r.lesionwiseHd95))
          .optReader(
              r ->
                  new MetricRow(
                      r.text("labelmap_set"),
                      r.text("case_id"),
                      r.text("region"),
                      r.text("convention", "brats2020"), // tables written before conventions
                      r.number("dice"),
                      r.number("hd95"),
                      r.number("sensitivity"),
                      r.number("specificity"),
                      r.has("lesionwise_dice") ? r.number("lesionwise_dice") : Double.NaN,
                      r.has("lesionwise_hd95") ? r.number("lesionwise_hd95") : Double.NaN))
          .optParquet(
              MetricRow.class,
              "labelmapSet",
              "caseId",
              "region",
              "convention",
              "dice",
              "hd95",
              "sensitivity",
              "specificity",
              "lesionwiseDice",
              "lesionwiseHd95")
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

  public String getConvention() {
    return convention;
  }

  public void setConvention(String convention) {
    this.convention = convention;
  }

  public Double getLesionwiseDice() {
    return lesionwiseDice;
  }

  public void setLesionwiseDice(Double lesionwiseDice) {
    this.lesionwiseDice = lesionwiseDice;
  }

  public Double getLesionwiseHd95() {
    return lesionwiseHd95;
  }

  public void setLesionwiseHd95(Double lesionwiseHd95) {
    this.lesionwiseHd95 = lesionwiseHd95;
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
