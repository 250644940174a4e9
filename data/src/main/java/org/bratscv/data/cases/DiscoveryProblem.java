package org.bratscv.data.cases;

/**
 * Something case discovery could not accept: a case with a missing modality, a duplicate case id, a
 * folder that holds NIfTI files but follows no known layout. Discovery reports these and goes on;
 * the stage that ran it turns them into error rows.
 *
 * @param caseId the case id, or the folder name when no case id could be read
 */
public record DiscoveryProblem(String caseId, String path, String reason) {
  @Override
  public String toString() {
    return "case " + caseId + " (" + path + "): " + reason;
  }
}
