package org.bratscv.data.labels;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The label values an archive uses for the three tumor tissues and how they form the regions ET, TC
 * and WT: ET = {enhancing}, TC = {necrotic core, enhancing}, WT = {necrotic core, edema,
 * enhancing}. BraTS numbers NCR/NET 1 and edema 2 everywhere, enhancing tumor 4 up to 2021 and 3
 * from 2023 on; BraTS 2024 GLI adds 4 = resection cavity, a valid label that belongs to no tumor
 * region. The Medical Segmentation Decathlon (Task01_BrainTumour) and nnU-Net's BraTS data sets
 * number edema 1, non-enhancing tumor 2 and enhancing tumor 3.
 *
 * <p>A scheme is a value: two schemes with the same numbers and names are equal. The named ones
 * print as their name ({@code BRATS2020}, {@code MSD}); one read from a data set's own description
 * prints as {@code ncr=2,edema=1,et=3} and {@link #parse} reads both forms back.
 */
public final class LabelScheme implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final int BACKGROUND = 0;

  /** BraTS's NCR/NET label (1 in every edition). */
  public static final int NECROTIC_CORE = 1;

  /** BraTS's edema label (2 in every edition). */
  public static final int EDEMA = 2;

  public static final LabelScheme BRATS2020 =
      new LabelScheme("BRATS2020", 1, 2, 4, Map.of(), "NCR/NET", "ED", "ET");
  public static final LabelScheme BRATS2021 =
      new LabelScheme("BRATS2021", 1, 2, 4, Map.of(), "NCR/NET", "ED", "ET");
  public static final LabelScheme BRATS2023 =
      new LabelScheme("BRATS2023", 1, 2, 3, Map.of(), "NETC", "SNFH", "ET");
  public static final LabelScheme BRATS2024 =
      new LabelScheme("BRATS2024", 1, 2, 3, Map.of(4, "RC"), "NETC", "SNFH", "ET");

  /** The Medical Segmentation Decathlon's Task01_BrainTumour labels, named as its dataset.json. */
  public static final LabelScheme MSD =
      new LabelScheme("MSD", 2, 1, 3, Map.of(), "non-enhancing tumor", "edema", "enhancing tumour");

  private static final List<LabelScheme> NAMED =
      List.of(BRATS2020, BRATS2021, BRATS2023, BRATS2024, MSD);

  private static final Pattern SPEC =
      Pattern.compile("ncr=(\\d+),edema=(\\d+),et=(\\d+)((?:,other=\\d+)*)");

  private final String name;
  private final int necrotic;
  private final int edema;
  private final int enhancing;
  private final TreeMap<Integer, String> others;
  private final String necroticName;
  private final String edemaName;
  private final String enhancingName;

  private LabelScheme(
      String name,
      int necrotic,
      int edema,
      int enhancing,
      Map<Integer, String> others,
      String necroticName,
      String edemaName,
      String enhancingName) {
    this.others = new TreeMap<>(others);
    int[] tissue = {necrotic, edema, enhancing};
    for (int l : tissue) {
      if (l < 1 || l > 255) {
        throw new IllegalArgumentException("a tumor label must be in 1..255, got " + l);
      }
    }
    if (necrotic == edema || necrotic == enhancing || edema == enhancing) {
      throw new IllegalArgumentException(
          "necrotic core, edema and enhancing tumor need three different labels, got "
              + Arrays.toString(tissue));
    }
    for (int l : this.others.keySet()) {
      if (l < 1 || l > 255 || l == necrotic || l == edema || l == enhancing) {
        throw new IllegalArgumentException(
            "extra label " + l + " must be in 1..255 and differ from the tumor labels");
      }
    }
    this.necrotic = necrotic;
    this.edema = edema;
    this.enhancing = enhancing;
    this.necroticName = necroticName;
    this.edemaName = edemaName;
    this.enhancingName = enhancingName;
    this.name = name != null ? name : spec(necrotic, edema, enhancing, this.others);
  }

  /**
   * A scheme of an archive's own numbering (e.g. read from an nnU-Net {@code dataset.json}), with
   * the names the archive gives its labels; {@code others} are valid labels outside the tumor
   * regions, by value.
   */
  public static LabelScheme of(
      int necrotic,
      int edema,
      int enhancing,
      Map<Integer, String> others,
      String necroticName,
      String edemaName,
      String enhancingName) {
    LabelScheme s =
        new LabelScheme(
            null, necrotic, edema, enhancing, others, necroticName, edemaName, enhancingName);
    // a numbering that equals a named scheme's is that scheme (its name is shorter to read)
    return NAMED.stream().filter(n -> n.sameNumbers(s)).findFirst().orElse(s);
  }

  private static String spec(int necrotic, int edema, int enhancing, Map<Integer, String> others) {
    StringBuilder sb =
        new StringBuilder("ncr=" + necrotic + ",edema=" + edema + ",et=" + enhancing);
    others.keySet().forEach(o -> sb.append(",other=").append(o));
    return sb.toString();
  }

  private boolean sameNumbers(LabelScheme o) {
    return necrotic == o.necrotic
        && edema == o.edema
        && enhancing == o.enhancing
        && others.keySet().equals(o.others.keySet());
  }

  /** {@code BRATS2020}, ..., {@code MSD}, or {@code ncr=2,edema=1,et=3} for another numbering. */
  public String name() {
    return name;
  }

  /** The named schemes. */
  public static List<LabelScheme> values() {
    return NAMED;
  }

  /** The enhancing-tumor label: 4 (2020/2021) or 3 (2023+, MSD). */
  public int enhancingLabel() {
    return enhancing;
  }

  /** The necrotic / non-enhancing tumor core label: 1 (BraTS) or 2 (MSD). */
  public int necroticLabel() {
    return necrotic;
  }

  /** The edema label: 2 (BraTS) or 1 (MSD). */
  public int edemaLabel() {
    return edema;
  }

  /** Every label a ground-truth file of this scheme may hold, ascending. */
  public int[] validLabels() {
    return labelNames().keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  public boolean isValid(int label) {
    return label == BACKGROUND
        || label == necrotic
        || label == edema
        || label == enhancing
        || others.containsKey(label);
  }

  /**
   * Every label with the name this scheme's archives give it, ascending by value: background, the
   * three tumor tissues, and any extra label (BraTS 2024's resection cavity).
   */
  public Map<Integer, String> labelNames() {
    TreeMap<Integer, String> all = new TreeMap<>(others);
    all.put(BACKGROUND, "background");
    all.put(necrotic, necroticName);
    all.put(edema, edemaName);
    all.put(enhancing, enhancingName);
    return new LinkedHashMap<>(all);
  }

  /** Labels that make up {@code region}: ET = {et}, TC = {ncr, et}, WT = {ncr, edema, et}. */
  public int[] labelsOf(Region region) {
    return switch (region) {
      case ET -> new int[] {enhancing};
      case TC -> new int[] {necrotic, enhancing};
      case WT -> new int[] {necrotic, edema, enhancing};
    };
  }

  /** A 256-entry lookup: {@code table[label]} is true when the label belongs to {@code region}. */
  public boolean[] regionTable(Region region) {
    boolean[] t = new boolean[256];
    for (int l : labelsOf(region)) {
      t[l] = true;
    }
    return t;
  }

  /**
   * Parses a named scheme ({@code brats2020}, {@code 2020}, {@code BRATS2023}, {@code msd}) or a
   * numbering as {@link #name} prints it ({@code ncr=2,edema=1,et=3[,other=4]}).
   */
  public static LabelScheme parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    for (LabelScheme s : NAMED) {
      if (s.name.equals(t) || s.name.equals("BRATS" + t)) {
        return s;
      }
    }
    Matcher m = SPEC.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      Map<Integer, String> others = new TreeMap<>();
      for (String o : m.group(4).split(",other=")) {
        if (!o.isEmpty()) {
          others.put(Integer.parseInt(o), "label " + o);
        }
      }
      return of(
          Integer.parseInt(m.group(1)),
          Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)),
          others,
          "necrotic / non-enhancing tumor core",
          "edema",
          "enhancing tumor");
    }
    throw new IllegalArgumentException(
        "unknown label scheme '"
            + text
            + "'; expected one of brats2020, brats2021, brats2023, brats2024, msd,"
            + " or ncr=N,edema=N,et=N[,other=N]");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelScheme s && name.equals(s.name) && sameNumbers(s);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, necrotic, edema, enhancing);
  }

  @Override
  public String toString() {
    return name;
  }
}
