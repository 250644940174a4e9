package org.bratscv.data.labels;

import java.util.Locale;
import java.util.Map;

/**
 * Files that tell image viewers how to colour and name a labelmap's values, made from a {@link
 * LabelScheme} (its own values and names: BraTS 2020's NCR/NET, ED, ET; 2023's NETC, SNFH, ET; the
 * Decathlon's edema, non-enhancing tumor, enhancing tumour). Colours are those of the report's
 * overlays: enhancing tumor red, NCR/NET green, edema yellow; any other label (BraTS 2024's
 * resection cavity) blue.
 *
 * <ul>
 *   <li>3D Slicer's colour table ({@code .ctbl}): {@code # Color table file} header, then one line
 *       {@code index name R G B A} per label, colours and opacity 0-255, spaces in names written as
 *       underscores.
 *   <li>ITK-SNAP's label description file: the usual commented header, then one line {@code IDX R G
 *       B A VIS MSH "LABEL"} per label, opacity 0-1.
 * </ul>
 */
public final class ViewerColourTables {
  private ViewerColourTables() {}

  /** RGB of enhancing tumor, NCR/NET, edema and any other label. */
  public static final int[] ENHANCING = {255, 0, 0};

  public static final int[] NECROTIC_CORE = {0, 255, 0};
  public static final int[] EDEMA = {255, 255, 0};
  public static final int[] OTHER = {0, 0, 255};

  /** The colour of {@code label} under {@code scheme}; background black. */
  public static int[] colour(LabelScheme scheme, int label) {
    if (label == LabelScheme.BACKGROUND) {
      return new int[] {0, 0, 0};
    }
    if (label == scheme.enhancingLabel()) {
      return ENHANCING.clone();
    }
    if (label == scheme.necroticLabel()) {
      return NECROTIC_CORE.clone();
    }
    if (label == scheme.edemaLabel()) {
      return EDEMA.clone();
    }
    return OTHER.clone();
  }

  /** 3D Slicer's discrete colour table for labelmaps of {@code scheme}. */
  public static String slicer(LabelScheme scheme) {
    Map<Integer, String> names = scheme.labelNames();
    StringBuilder b = new StringBuilder();
    b.append("# Color table file brats-cv labels (").append(scheme).append(")\n");
    b.append("# ").append(names.size()).append(" values\n");
    for (Map.Entry<Integer, String> e : names.entrySet()) {
      int[] c = colour(scheme, e.getKey());
      int alpha = e.getKey() == LabelScheme.BACKGROUND ? 0 : 255;
      String name = e.getValue().trim().replaceAll("\\s+", "_");
      b.append(
          String.format(
              Locale.ROOT, "%d %s %d %d %d %d\n", e.getKey(), name, c[0], c[1], c[2], alpha));
    }
    return b.toString();
  }

  /** ITK-SNAP's label description file for labelmaps of {@code scheme}. */
  public static String itkSnap(LabelScheme scheme) {
    StringBuilder b = new StringBuilder();
    b.append("################################################\n");
    b.append("# ITK-SnAP Label Description File\n");
    b.append("# brats-cv labels (").append(scheme).append(")\n");
    b.append("# File format: \n");
    b.append("# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL\n");
    b.append("# Fields: \n");
    b.append("#    IDX:   Zero-based index \n");
    b.append("#    -R-:   Red color component (0..255)\n");
    b.append("#    -G-:   Green color component (0..255)\n");
    b.append("#    -B-:   Blue color component (0..255)\n");
    b.append("#    -A-:   Label transparency (0.00 .. 1.00)\n");
    b.append("#    VIS:   Label visibility (0 or 1)\n");
    b.append("#    MSH:   Label mesh visibility (0 or 1)\n");
    b.append("#  LABEL:   Label description \n");
    b.append("################################################\n");
    for (Map.Entry<Integer, String> e : scheme.labelNames().entrySet()) {
      boolean background = e.getKey() == LabelScheme.BACKGROUND;
      int[] c = colour(scheme, e.getKey());
      String name = background ? "Clear Label" : e.getValue().replace("\"", "'");
      int shown = background ? 0 : 1;
      b.append(
          String.format(
              Locale.ROOT,
              "%5d %5d %4d %4d %8d %2d %2d    \"%s\"\n",
              e.getKey(),
              c[0],
              c[1],
              c[2],
              shown,
              shown,
              shown,
              name));
    }
    return b.toString();
  }
}
