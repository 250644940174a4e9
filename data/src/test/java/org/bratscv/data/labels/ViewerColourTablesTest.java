package org.bratscv.data.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewerColourTablesTest {
  @Test
  void slicersColourTableListsEveryLabelAsIndexNameRgbaWithUnderscoresForSpaces() {
    assertEquals(
        "# Color table file brats-cv labels (BRATS2020)\n"
            + "# 4 values\n"
            + "0 background 0 0 0 0\n"
            + "1 NCR/NET 0 255 0 255\n"
            + "2 ED 255 255 0 255\n"
            + "4 ET 255 0 0 255\n",
        ViewerColourTables.slicer(LabelScheme.BRATS2020));
    String msd = ViewerColourTables.slicer(LabelScheme.MSD);
    assertTrue(
        msd.endsWith(
            "1 edema 255 255 0 255\n2 non-enhancing_tumor 0 255 0 255\n3 enhancing_tumour 255 0 0 255\n"),
        msd);
    String brats2024 = ViewerColourTables.slicer(LabelScheme.BRATS2024);
    assertTrue(
        brats2024.contains(
            "\n1 NETC 0 255 0 255\n2 SNFH 255 255 0 255\n3 ET 255 0 0 255\n4 RC 0 0 255 255\n"),
        brats2024);
  }

  @Test
  void itkSnapsLabelFileHasItsHeaderAndOneQuotedLabelPerLine() {
    String text = ViewerColourTables.itkSnap(LabelScheme.BRATS2023);
    List<String> lines = text.lines().toList();
    assertEquals("# ITK-SnAP Label Description File", lines.get(1));
    assertTrue(lines.contains("# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL"));
    List<String> labels = lines.stream().filter(l -> !l.startsWith("#")).toList();
    assertEquals(
        List.of(
            "    0     0    0    0        0  0  0    \"Clear Label\"",
            "    1     0  255    0        1  1  1    \"NETC\"",
            "    2   255  255    0        1  1  1    \"SNFH\"",
            "    3   255    0    0        1  1  1    \"ET\""),
        labels);
    // fields as ITK-SNAP splits them: index, R, G, B, alpha, visibility, mesh, quoted name
    String[] f = labels.get(3).trim().split("\\s+", 8);
    assertEquals(List.of("3", "255", "0", "0", "1", "1", "1", "\"ET\""), List.of(f));
    LabelScheme custom = LabelScheme.of(7, 8, 9, Map.of(), "core \"x\"", "oedema", "enh");
    assertTrue(ViewerColourTables.itkSnap(custom).contains("\"core 'x'\""));
  }
}
