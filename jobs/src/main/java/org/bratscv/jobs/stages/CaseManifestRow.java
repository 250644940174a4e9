package org.bratscv.jobs.stages;

import java.io.Serializable;
import org.bratscv.jobs.run.Table;

/**
 * One row of the preprocess manifest: a case and whether it could be used. A JavaBean, because
 * Spark's bean encoder gives it a schema (Java records get none).
 */
public final class CaseManifestRow implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String OK = "ok";
  public static final String ERROR = "error";

  private String caseId;
  private String status;
  private String reason;
  private String layout;
  private boolean hasLabel;
  private String dims;
  private String box;
  private double seconds;
  private String folder;
  private String fingerprint = "";

  public CaseManifestRow() {}

  static CaseManifestRow ok(
      String caseId,
      String layout,
      boolean hasLabel,
      String dims,
      String box,
      double seconds,
      String folder,
      String fingerprint) {
    CaseManifestRow r = new CaseManifestRow();
    r.fingerprint = fingerprint;
    r.caseId = caseId;
    r.status = OK;
    r.reason = "";
    r.layout = layout;
    r.hasLabel = hasLabel;
    r.dims = dims;
    r.box = box;
    r.seconds = seconds;
    r.folder = folder;
    return r;
  }

  static CaseManifestRow error(String caseId, String layout, String reason, String folder) {
    CaseManifestRow r = new CaseManifestRow();
    r.caseId = caseId;
    r.status = ERROR;
    r.reason = reason;
    r.layout = layout;
    r.dims = "";
    r.box = "";
    r.folder = folder;
    return r;
  }

  public boolean isOk() {
    return OK.equals(status);
  }

  /** {@code preprocess/manifest.csv} and {@code preprocess/manifest.parquet}. */
  public static final Table<CaseManifestRow> TABLE =
      Table.<CaseManifestRow>builder("case manifest")
          .column("case_id", CaseManifestRow::getCaseId)
          .column("status", CaseManifestRow::getStatus)
          .column("reason", CaseManifestRow::getReason)
          .column("layout", CaseManifestRow::getLayout)
          .column("has_label", r -> Boolean.toString(r.hasLabel))
          .column("dims", CaseManifestRow::getDims)
          .column("box", CaseManifestRow::getBox)
          .column("seconds", r -> String.format(java.util.Locale.ROOT, "%.3f", r.seconds))
          .column("folder", CaseManifestRow::getFolder)
          .column("fingerprint", CaseManifestRow::getFingerprint)
          .optReader(CaseManifestRow::read)
          .optParquet(
              CaseManifestRow.class,
              "caseId",
              "status",
              "reason",
              "layout",
              "hasLabel",
              "dims",
              "box",
              "seconds",
              "folder",
              "fingerprint")
          .build();

  private static CaseManifestRow read(Table.Record v) {
    CaseManifestRow r = new CaseManifestRow();
    r.caseId = v.text("case_id");
    r.status = v.text("status");
    r.reason = v.text("reason");
    r.layout = v.text("layout");
    r.hasLabel = v.bool("has_label");
    r.dims = v.text("dims");
    r.box = v.text("box");
    r.seconds = v.number("seconds");
    r.folder = v.text("folder");
    r.fingerprint = v.text("fingerprint", "");
    return r;
  }

  public String getCaseId() {
    return caseId;
  }

  public void setCaseId(String caseId) {
    this.caseId = caseId;
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

  public String getLayout() {
    return layout;
  }

  public void setLayout(String layout) {
    this.layout = layout;
  }

  public boolean getHasLabel() {
    return hasLabel;
  }

  public void setHasLabel(boolean hasLabel) {
    this.hasLabel = hasLabel;
  }

  public String getDims() {
    return dims;
  }

  public void setDims(String dims) {
    this.dims = dims;
  }

  public String getBox() {
    return box;
  }

  public void setBox(String box) {
    this.box = box;
  }

  public double getSeconds() {
    return seconds;
  }

  public void setSeconds(double seconds) {
    this.seconds = seconds;
  }

  public String getFolder() {
    return folder;
  }

  public void setFolder(String folder) {
    this.folder = folder;
  }

  /**
   * SHA-256 of what the preprocessed case was made from (its source files' contents, label scheme
   * and format); empty for a case with an error.
   */
  public String getFingerprint() {
    return fingerprint;
  }

  public void setFingerprint(String fingerprint) {
    this.fingerprint = fingerprint;
  }
}
