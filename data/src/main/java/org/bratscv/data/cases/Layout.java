package org.bratscv.data.cases;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bratscv.data.labels.LabelScheme;

/**
 * How a BraTS edition names its case folders and files, and which labels it uses.
 *
 * <ul>
 *   <li>2020: {@code BraTS20_Training_001/BraTS20_Training_001_{t1,t1ce,t2,flair,seg}.nii.gz}
 *   <li>2021: {@code BraTS2021_00000/BraTS2021_00000_{t1,t1ce,t2,flair,seg}.nii.gz}
 *   <li>2023+ GLI: {@code BraTS-GLI-00000-000/BraTS-GLI-00000-000-{t1n,t1c,t2w,t2f,seg}.nii.gz}
 * </ul>
 *
 * Files may be {@code .nii} or {@code .nii.gz}. Three layouts are not case folders ({@link
 * #ofFolder} never returns them): {@link #MSD} (the Medical Segmentation Decathlon's
 * Task01_BrainTumour: one 4-D image per case), {@link #NNUNET} (nnU-Net's raw data set: one file
 * per channel, {@code <case>_0000}) and {@link #MANIFEST} (a CSV file naming each case's files);
 * see {@link DatasetFolderDiscovery} and {@link ManifestDiscovery}.
 */
public enum Layout {
  BRATS2020(
      Pattern.compile("BraTS20_(Training|Validation|Testing)_\\d+"),
      "_",
      List.of("t1", "t1ce", "t2", "flair"),
      LabelScheme.BRATS2020),
  BRATS2021(
      Pattern.compile("BraTS2021_\\d+"),
      "_",
      List.of("t1", "t1ce", "t2", "flair"),
      LabelScheme.BRATS2021),
  BRATS2023(
      Pattern.compile("BraTS-[A-Z]+-\\d+-\\d+"),
      "-",
      List.of("t1n", "t1c", "t2w", "t2f"),
      LabelScheme.BRATS2023),
  /** Task01_BrainTumour: {@code imagesTr/BRATS_001.nii.gz} (4-D), {@code labelsTr/}. */
  MSD(LabelScheme.MSD),
  /**
   * nnU-Net's raw layout: {@code imagesTr/<case>_0000.nii.gz}..., labels read from {@code
   * dataset.json}; MSD's numbering (that of nnU-Net's BraTS conversions) when it names none.
   */
  NNUNET(LabelScheme.MSD),
  /** A CSV manifest {@code case_id,t1,t1ce,t2,flair[,seg]}; BraTS 2020/2021 labels by default. */
  MANIFEST(LabelScheme.BRATS2021);

  private final Pattern folderPattern;
  private final String separator;
  private final List<String> suffixes;
  private final LabelScheme labelScheme;

  Layout(LabelScheme scheme) {
    this(null, null, null, scheme);
  }

  Layout(Pattern folderPattern, String separator, List<String> suffixes, LabelScheme scheme) {
    this.folderPattern = folderPattern;
    this.separator = separator;
    this.suffixes = suffixes;
    this.labelScheme = scheme;
  }

  /** The layout whose case-folder naming matches {@code folderName}, if any. */
  public static Optional<Layout> ofFolder(String folderName) {
    return Arrays.stream(values())
        .filter(l -> l.folderPattern != null && l.folderPattern.matcher(folderName).matches())
        .findFirst();
  }

  /** File-name suffix of {@code modality}, e.g. {@code t1ce} (2020) or {@code t1c} (2023). */
  public String suffix(Modality modality) {
    if (suffixes == null) {
      throw new UnsupportedOperationException(this + " does not name files by a suffix");
    }
    return suffixes.get(modality.ordinal());
  }

  /** Base file name (no extension) of a modality file of case {@code caseId}. */
  public String baseName(String caseId, Modality modality) {
    return caseId + separator + suffix(modality);
  }

  /** Base file name (no extension) of the segmentation of case {@code caseId}. */
  public String segBaseName(String caseId) {
    return caseId + separator + "seg";
  }

  /** The labels this edition uses by default. */
  public LabelScheme labelScheme() {
    return labelScheme;
  }

  /** Parses {@code brats2020}, {@code 2021}, {@code BRATS2023}, ... */
  public static Layout parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (!t.startsWith("BRATS") && Character.isDigit(t.isEmpty() ? 'x' : t.charAt(0))) {
      t = "BRATS" + t;
    }
    try {
      return valueOf(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown layout '"
              + text
              + "'; expected one of brats2020, brats2021, brats2023, msd, nnunet,"
              + " manifest",
          e);
    }
  }
}
