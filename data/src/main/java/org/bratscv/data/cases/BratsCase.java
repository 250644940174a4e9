package org.bratscv.data.cases;

import java.util.List;

/**
 * One BraTS case as found on disk: its id, layout, the four modality files in the canonical channel
 * order (T1, T1Gd, T2, FLAIR) and the segmentation file when the archive has labels.
 *
 * @param segPath the labelmap's path, or {@code null} for validation/test archives
 */
public record BratsCase(
    String id, Layout layout, String folder, List<String> modalityPaths, String segPath)
    implements java.io.Serializable {
  public BratsCase {
    if (modalityPaths.size() != Modality.values().length) {
      throw new IllegalArgumentException(
          "case " + id + ": expected 4 modality paths, got " + modalityPaths.size());
    }
    modalityPaths = List.copyOf(modalityPaths);
  }

  public String modalityPath(Modality m) {
    return modalityPaths.get(m.ordinal());
  }

  public boolean hasLabel() {
    return segPath != null;
  }
}
