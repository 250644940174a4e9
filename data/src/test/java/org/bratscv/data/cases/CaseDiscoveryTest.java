package org.bratscv.data.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bratscv.data.labels.LabelScheme;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaseDiscoveryTest {
  @TempDir Path root;

  private static void touch(Path dir, String... names) throws IOException {
    Files.createDirectories(dir);
    for (String n : names) {
      Files.write(dir.resolve(n), new byte[] {1});
    }
  }

  private CaseDiscovery.Result discover() throws IOException {
    return new CaseDiscovery(new LocalCaseStore()).discover(root.toString());
  }

  @Test
  void findsBrats2020CasesWithModalitiesInCanonicalOrder() throws IOException {
    String id = "BraTS20_Training_001";
    touch(
        root.resolve(id),
        id + "_flair.nii.gz",
        id + "_t1.nii.gz",
        id + "_t1ce.nii.gz",
        id + "_t2.nii.gz",
        id + "_seg.nii.gz");
    CaseDiscovery.Result r = discover();
    assertEquals(List.of(), r.problems());
    BratsCase c = r.cases().get(0);
    assertEquals(id, c.id());
    assertEquals(Layout.BRATS2020, c.layout());
    assertTrue(c.modalityPath(Modality.T1).endsWith(id + "_t1.nii.gz"));
    assertTrue(c.modalityPath(Modality.T1GD).endsWith(id + "_t1ce.nii.gz"));
    assertTrue(c.modalityPath(Modality.T2).endsWith(id + "_t2.nii.gz"));
    assertTrue(c.modalityPath(Modality.FLAIR).endsWith(id + "_flair.nii.gz"));
    assertTrue(c.segPath().endsWith(id + "_seg.nii.gz"));
    assertEquals(4, c.layout().labelScheme().enhancingLabel());
  }

  @Test
  void findsBrats2021UncompressedCasesWithoutSeg() throws IOException {
    String id = "BraTS2021_00042";
    touch(root.resolve(id), id + "_t1.nii", id + "_t1ce.nii", id + "_t2.nii", id + "_flair.nii");
    CaseDiscovery.Result r = discover();
    assertEquals(List.of(), r.problems());
    BratsCase c = r.cases().get(0);
    assertEquals(Layout.BRATS2021, c.layout());
    assertFalse(c.hasLabel());
    assertNull(c.segPath());
    assertTrue(c.modalityPath(Modality.T1GD).endsWith("_t1ce.nii"));
  }

  @Test
  void findsBrats2023GliCasesUnderANestedArchiveFolder() throws IOException {
    String id = "BraTS-GLI-00002-000";
    touch(
        root.resolve("ASNR-MICCAI-BraTS2023-GLI-Challenge-TrainingData").resolve(id),
        id + "-t1n.nii.gz",
        id + "-t1c.nii.gz",
        id + "-t2w.nii.gz",
        id + "-t2f.nii.gz",
        id + "-seg.nii.gz");
    CaseDiscovery.Result r = discover();
    assertEquals(List.of(), r.problems());
    BratsCase c = r.cases().get(0);
    assertEquals(Layout.BRATS2023, c.layout());
    assertEquals(LabelScheme.BRATS2023, c.layout().labelScheme());
    assertTrue(c.modalityPath(Modality.T1).endsWith("-t1n.nii.gz"));
    assertTrue(c.modalityPath(Modality.T1GD).endsWith("-t1c.nii.gz"));
    assertTrue(c.modalityPath(Modality.T2).endsWith("-t2w.nii.gz"));
    assertTrue(c.modalityPath(Modality.FLAIR).endsWith("-t2f.nii.gz"));
  }

  @Test
  void missingModalityIsAProblemForThatCaseOnly() throws IOException {
    String good = "BraTS20_Training_002";
    String bad = "BraTS20_Training_003";
    touch(
        root.resolve(good),
        good + "_t1.nii.gz",
        good + "_t1ce.nii.gz",
        good + "_t2.nii.gz",
        good + "_flair.nii.gz");
    touch(root.resolve(bad), bad + "_t1.nii.gz", bad + "_t2.nii.gz", bad + "_flair.nii.gz");
    CaseDiscovery.Result r = discover();
    assertEquals(List.of(good), r.cases().stream().map(BratsCase::id).toList());
    assertEquals(1, r.problems().size());
    DiscoveryProblem p = r.problems().get(0);
    assertEquals(bad, p.caseId());
    assertTrue(p.reason().contains("missing t1ce"), p.reason());
  }

  @Test
  void extraFilesAreIgnoredAndBothCompressionsOfOneModalityAreAmbiguous() throws IOException {
    String id = "BraTS20_Training_004";
    touch(
        root.resolve(id),
        id + "_t1.nii.gz",
        id + "_t1ce.nii.gz",
        id + "_t2.nii.gz",
        id + "_flair.nii.gz",
        "notes.txt",
        ".DS_Store");
    String amb = "BraTS20_Training_005";
    touch(
        root.resolve(amb),
        amb + "_t1.nii.gz",
        amb + "_t1.nii",
        amb + "_t1ce.nii.gz",
        amb + "_t2.nii.gz",
        amb + "_flair.nii.gz");
    touch(root, "name_mapping.csv");
    CaseDiscovery.Result r = discover();
    assertEquals(List.of(id), r.cases().stream().map(BratsCase::id).toList());
    assertEquals(amb, r.problems().get(0).caseId());
    assertTrue(r.problems().get(0).reason().contains("twice"), r.problems().get(0).reason());
  }

  @Test
  void duplicateCaseIdKeepsTheFirstAndReportsTheOther() throws IOException {
    String id = "BraTS2021_00007";
    for (String part : List.of("part1", "part2")) {
      touch(
          root.resolve(part).resolve(id),
          id + "_t1.nii.gz",
          id + "_t1ce.nii.gz",
          id + "_t2.nii.gz",
          id + "_flair.nii.gz");
    }
    CaseDiscovery.Result r = discover();
    assertEquals(1, r.cases().size());
    assertTrue(r.cases().get(0).folder().contains("part1"));
    assertEquals(1, r.problems().size());
    assertTrue(r.problems().get(0).reason().startsWith("duplicate case id"));
    assertTrue(r.problems().get(0).path().contains("part2"));
  }

  @Test
  void unrecognisedFolderWithNiftiFilesIsReported() throws IOException {
    touch(root.resolve("patient_x"), "t1.nii.gz", "flair.nii.gz");
    CaseDiscovery.Result r = discover();
    assertEquals(List.of(), r.cases());
    assertEquals("patient_x", r.problems().get(0).caseId());
    assertTrue(r.problems().get(0).reason().contains("no known BraTS layout"));
  }

  @Test
  void misnamedSegOfBrats2020Case355IsAccepted() throws IOException {
    String id = "BraTS20_Training_355";
    touch(
        root.resolve(id),
        id + "_t1.nii.gz",
        id + "_t1ce.nii.gz",
        id + "_t2.nii.gz",
        id + "_flair.nii.gz",
        "W39_1998.09.19_Segm.nii");
    BratsCase c = discover().cases().get(0);
    assertTrue(c.segPath().endsWith("W39_1998.09.19_Segm.nii"));
  }

  @Test
  void casesAreSortedById() throws IOException {
    for (String id : List.of("BraTS20_Training_010", "BraTS20_Training_002")) {
      touch(
          root.resolve(id),
          id + "_t1.nii.gz",
          id + "_t1ce.nii.gz",
          id + "_t2.nii.gz",
          id + "_flair.nii.gz");
    }
    assertEquals(
        List.of("BraTS20_Training_002", "BraTS20_Training_010"),
        discover().cases().stream().map(BratsCase::id).toList());
  }

  @Test
  void missingRootIsAnErrorNamingIt() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new CaseDiscovery(new LocalCaseStore()).discover(root.resolve("nope").toString()));
    assertTrue(e.getMessage().contains("nope"));
  }

  @Test
  void layoutsParseFolderNames() {
    assertEquals(Layout.BRATS2020, Layout.ofFolder("BraTS20_Validation_012").orElseThrow());
    assertEquals(Layout.BRATS2021, Layout.ofFolder("BraTS2021_01666").orElseThrow());
    assertEquals(Layout.BRATS2023, Layout.ofFolder("BraTS-GLI-01666-001").orElseThrow());
    assertTrue(Layout.ofFolder("random").isEmpty());
    assertEquals(Layout.BRATS2023, Layout.parse("brats2023"));
    assertEquals(Layout.BRATS2021, Layout.parse("2021"));
  }
}
