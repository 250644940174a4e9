package org.bratscv.data.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bratscv.data.labels.LabelScheme;
import org.bratscv.data.labels.Region;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFolderDiscoveryTest {
  @TempDir Path root;

  static final String MSD_JSON =
      "{\"name\": \"BRATS\", \"modality\": {\"0\": \"FLAIR\", \"1\": \"T1w\", \"2\": \"t1gd\","
          + " \"3\": \"T2w\"}, \"labels\": {\"0\": \"background\", \"1\": \"edema\","
          + " \"2\": \"non-enhancing tumor\", \"3\": \"enhancing tumour\"}, \"numTraining\": 2}";

  private static void touch(Path dir, String... names) throws IOException {
    Files.createDirectories(dir);
    for (String n : names) {
      Files.write(dir.resolve(n), new byte[] {1});
    }
  }

  private CaseDiscovery.Result discover(Path where) throws IOException {
    return new CaseDiscovery(new LocalCaseStore()).discover(where.toString());
  }

  @Test
  void decathlonCasesTakeTheirFourSequencesFromOneFileInDatasetJsonOrderAndSkipAppleDouble()
      throws IOException {
    Path task = root.resolve("Task01_BrainTumour");
    Files.createDirectories(task);
    Files.writeString(task.resolve("dataset.json"), MSD_JSON);
    touch(task.resolve("imagesTr"), "BRATS_001.nii.gz", "._BRATS_001.nii.gz", "BRATS_002.nii.gz");
    touch(task.resolve("labelsTr"), "BRATS_001.nii.gz", "._BRATS_001.nii.gz", "BRATS_009.nii.gz");
    touch(task.resolve("imagesTs"), "BRATS_485.nii.gz", "._BRATS_485.nii.gz");

    CaseDiscovery.Result r = discover(root); // the data set folder one level down is found

    assertEquals(List.of("BRATS_001", "BRATS_002", "BRATS_485"), ids(r));
    BratsCase c = r.cases().get(0);
    assertEquals(Layout.MSD, c.layout());
    assertEquals(LabelScheme.MSD, c.labelScheme());
    String image = task.resolve("imagesTr/BRATS_001.nii.gz").toString();
    assertEquals(List.of(image, image, image, image), c.modalityPaths());
    // T1, T1Gd, T2, FLAIR sit at volumes 1, 2, 3, 0 of the Decathlon's file
    assertEquals(List.of(1, 2, 3, 0), c.modalityVolumes());
    assertEquals(task.resolve("labelsTr/BRATS_001.nii.gz").toString(), c.segPath());
    assertNull(r.cases().get(1).segPath());
    assertNull(r.cases().get(2).segPath());
    assertEquals(1, r.problems().size());
    assertEquals("BRATS_009", r.problems().get(0).caseId());
    assertEquals("labelmap in labelsTr has no image in imagesTr", r.problems().get(0).reason());
  }

  @Test
  void nnUnetCasesFollowChannelNamesAndRegionLabelsOfDatasetJson() throws IOException {
    Files.writeString(
        root.resolve("dataset.json"),
        "{\"channel_names\": {\"0\": \"T2w\", \"1\": \"FLAIR\", \"2\": \"T1\", \"3\": \"T1ce\"},"
            + " \"labels\": {\"background\": 0, \"whole tumor\": [1, 2, 3],"
            + " \"tumor core\": [1, 3], \"enhancing tumor\": 3},"
            + " \"regions_class_order\": [1, 2, 3], \"file_ending\": \".nii.gz\"}");
    touch(
        root.resolve("imagesTr"),
        "c1_0000.nii.gz",
        "c1_0001.nii.gz",
        "c1_0002.nii.gz",
        "c1_0003.nii.gz",
        "c2_0000.nii.gz",
        "c2_0001.nii.gz",
        "c2_0003.nii.gz",
        "c3_0000.nii.gz",
        "c3_0001.nii.gz",
        "c3_0002.nii.gz",
        "c3_0003.nii.gz",
        "c3_0004.nii.gz");
    touch(root.resolve("labelsTr"), "c1.nii.gz");

    CaseDiscovery.Result r = discover(root);

    assertEquals(List.of("c1"), ids(r));
    BratsCase c = r.cases().get(0);
    assertEquals(Layout.NNUNET, c.layout());
    assertTrue(c.modalityPath(Modality.T1).endsWith("c1_0002.nii.gz"));
    assertTrue(c.modalityPath(Modality.T1GD).endsWith("c1_0003.nii.gz"));
    assertTrue(c.modalityPath(Modality.T2).endsWith("c1_0000.nii.gz"));
    assertTrue(c.modalityPath(Modality.FLAIR).endsWith("c1_0001.nii.gz"));
    assertEquals(BratsCase.WHOLE_FILE, c.modalityVolume(Modality.T1));
    // core [1, 3] minus enhancing 3: NCR/NET is 1; whole minus core: edema is 2
    assertEquals(1, c.labelScheme().necroticLabel());
    assertEquals(2, c.labelScheme().edemaLabel());
    assertEquals(3, c.labelScheme().enhancingLabel());
    assertEquals(LabelScheme.BRATS2023, c.labelScheme());
    assertEquals(2, r.problems().size());
    assertEquals("c2", r.problems().get(0).caseId());
    assertEquals("missing c2_0002.nii.gz (channel 2, T1)", r.problems().get(0).reason());
    assertEquals("c3", r.problems().get(1).caseId());
    assertEquals(
        "c3_0004 is channel 4 but dataset.json names 4 channels (0..3)",
        r.problems().get(1).reason());
  }

  @Test
  void aDatasetJsonThatCannotBeUsedIsOneProblemNotAFailure() throws IOException {
    Files.writeString(
        root.resolve("dataset.json"),
        "{\"channel_names\": {\"0\": \"T1\", \"1\": \"T1ce\", \"2\": \"T2\", \"3\": \"ADC\"}}");
    touch(root.resolve("imagesTr"), "c1_0000.nii.gz");

    CaseDiscovery.Result r = discover(root);

    assertEquals(List.of(), r.cases());
    assertEquals(
        "cannot use: channel_names: channel 3 'ADC' names no known MRI sequence"
            + " (T1/T1w/t1n, T1Gd/T1ce/t1c, T2/T2w, FLAIR/t2f)",
        r.problems().get(0).reason());
  }

  @Test
  void datasetJsonLabelsAreReadInEachOfTheirThreeForms() throws Exception {
    assertEquals(LabelScheme.MSD, json(MSD_JSON).labelScheme());
    LabelScheme byName =
        json("{\"labels\": {\"background\": 0, \"necrosis\": 3, \"edema\": 5,"
                + " \"enhancing\": 7, \"resection cavity\": 9}}")
            .labelScheme();
    assertEquals("ncr=3,edema=5,et=7,other=9", byName.name());
    assertEquals(byName, LabelScheme.parse(byName.name()));
    int[] wt = byName.labelsOf(Region.WT);
    assertEquals(List.of(3, 5, 7), List.of(wt[0], wt[1], wt[2]));
    assertTrue(byName.isValid(9));
    assertEquals("resection cavity", byName.labelNames().get(9));
    assertEquals(
        "labels: no label for enhancing in [background, edema, necrosis]",
        assertThrows(
                DatasetJson.InvalidDatasetJsonException.class,
                () -> json("{\"labels\": {\"background\": 0, \"edema\": 1, \"necrosis\": 2}}"))
            .getMessage());
  }

  private static DatasetJson json(String text) throws Exception {
    return DatasetJson.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> ids(CaseDiscovery.Result r) {
    return r.cases().stream().map(BratsCase::id).toList();
  }
}
