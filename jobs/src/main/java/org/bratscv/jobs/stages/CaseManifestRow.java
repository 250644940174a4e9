package org.bratscv.jobs.stages;

import java.io.Serializable;

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

  public CaseManifestRow() {}

  static CaseManifestRow ok(
      String caseId,
      String layout,
      boolean hasLabel,
      String dims,
      String box,
      double seconds,
      String folder) {
    CaseManifestRow r = new CaseManifestRow();
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

  /** The manifest.csv header, in column order. */
  static String[] csvHeader() {
    return new String[] {
      "case_id", "status", "reason", "layout", "has_label", "dims", "box", "seconds", "folder"
    };
  }

  String[] csvValues() {
    return new String[] {
      caseId,
      status,
      reason,
      layout,
      Boolean.toString(hasLabel),
      dims,
      box,
      String.format(java.util.Locale.ROOT, "%.3f", seconds),
      folder
    };
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
}
