package org.bratscv.data.cases;

import java.util.Collections;
import java.util.List;
import org.bratscv.data.labels.LabelScheme;

/**
 * One case as found on disk: its id, layout, the four modality files in the canonical channel order
 * (T1, T1Gd, T2, FLAIR), the segmentation file when the archive has labels, and the labels that
 * file uses.
 *
 * @param modalityVolumes for each modality, the volume to take from a 4-D file (the Decathlon's
 *     images hold all four sequences), or -1 when the file is one 3-D volume
 * @param segPath the labelmap's path, or {@code null} for validation/test archives
 * @param labelScheme the labels of the archive (its layout's, or read from its {@code
 *     dataset.json})
 */
public record BratsCase(
    String id,
    Layout layout,
    String folder,
    List<String> modalityPaths,
    List<Integer> modalityVolumes,
    String segPath,
    LabelScheme labelScheme)
    implements java.io.Serializable {
  /** A volume index meaning "the file is one 3-D volume". */
  public static final int WHOLE_FILE = -1;

  public BratsCase {
    if (modalityPaths.size() != Modality.values().length) {
      throw new IllegalArgumentException(
          "case " + id + ": expected 4 modality paths, got " + modalityPaths.size());
    }
    if (modalityVolumes.size() != Modality.values().length) {
      throw new IllegalArgumentException(
          "case " + id + ": expected 4 modality volumes, got " + modalityVolumes.size());
    }
    modalityPaths = List.copyOf(modalityPaths);
    modalityVolumes = List.copyOf(modalityVolumes);
  }

  /** A case of a BraTS folder layout: one 3-D file per modality, the layout's labels. */
  public BratsCase(
      String id, Layout layout, String folder, List<String> modalityPaths, String segPath) {
    this(
        id,
        layout,
        folder,
        modalityPaths,
        Collections.nCopies(Modality.values().length, WHOLE_FILE),
        segPath,
        layout.labelScheme());
  }

  public String modalityPath(Modality m) {
    return modalityPaths.get(m.ordinal());
  }

  /** The volume of {@link #modalityPath} that holds {@code m}, or {@link #WHOLE_FILE}. */
  public int modalityVolume(Modality m) {
    return modalityVolumes.get(m.ordinal());
  }

  public boolean hasLabel() {
    return segPath != null;
  }
}
