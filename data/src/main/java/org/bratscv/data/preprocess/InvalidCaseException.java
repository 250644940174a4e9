package org.bratscv.data.preprocess;

import java.util.List;

/**
 * A case whose input files cannot be used as they are: modalities of different shapes or positions,
 * non-finite or all-zero intensities, labels outside the edition's label scheme. The preprocess
 * stage records it as the case's error and moves on to the next case.
 */
public class InvalidCaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String caseId;
  private final List<String> files;
  private final String problem;

  /**
   * @param caseId the case, e.g. {@code BraTS20_Training_017}
   * @param files the files (or modality names) involved, the offending one first
   * @param problem what is wrong, e.g. {@code flair has shape 240x240x150 but t1 has 240x240x155}
   */
  public InvalidCaseException(String caseId, List<String> files, String problem) {
    super("case " + caseId + ": " + problem);
    this.caseId = caseId;
    this.files = List.copyOf(files);
    this.problem = problem;
  }

  public String caseId() {
    return caseId;
  }

  public List<String> files() {
    return files;
  }

  public String problem() {
    return problem;
  }
}
