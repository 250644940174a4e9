package org.bratscv.data.cases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bratscv.data.labels.LabelScheme;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestDiscoveryTest {
  @TempDir Path root;

  private CaseDiscovery.Result discover(Path csv) throws IOException {
    return new CaseDiscovery(new LocalCaseStore()).discover(csv.toString());
  }

  private void touch(String... relative) throws IOException {
    for (String r : relative) {
      Path p = root.resolve(r);
      Files.createDirectories(p.getParent());
      Files.write(p, new byte[] {1});
    }
  }

  @Test
  void rowsResolveRelativePathsAgainstTheManifestFolderAndBadRowsBecomeProblems()
      throws IOException {
    touch("a/t1.nii.gz", "a/t1c.nii.gz", "a/t2.nii.gz", "a/fl.nii.gz", "a/seg.nii.gz");
    touch("elsewhere/b1.nii", "elsewhere/b2.nii", "elsewhere/b3.nii", "elsewhere/b4.nii");
    Path other = root.resolve("elsewhere");
    Path csv = root.resolve("cases.csv");
    Files.writeString(
        csv,
        "# my archive\n"
            + "case_id,flair,t1,t1ce,t2,seg\n"
            + "A,a/fl.nii.gz,a/t1.nii.gz,a/t1c.nii.gz,a/t2.nii.gz,a/seg.nii.gz\n"
            + "\n"
            + "B,\""
            + other.resolve("b4.nii")
            + "\","
            + other.resolve("b1.nii")
            + ","
            + other.resolve("b2.nii")
            + ","
            + other.resolve("b3.nii")
            + ",\n"
            + "C,a/fl.nii.gz,a/gone.nii.gz,a/t1c.nii.gz,a/t2.nii.gz,a/seg.nii.gz\n"
            + "../D,a/fl.nii.gz,a/t1.nii.gz,a/t1c.nii.gz,a/t2.nii.gz,\n");

    CaseDiscovery.Result r = discover(csv);

    assertEquals(List.of("A", "B"), r.cases().stream().map(BratsCase::id).toList());
    BratsCase a = r.cases().get(0);
    assertEquals(Layout.MANIFEST, a.layout());
    assertEquals(LabelScheme.BRATS2021, a.labelScheme());
    assertEquals(root.resolve("a/t1.nii.gz").toString(), a.modalityPath(Modality.T1));
    assertEquals(root.resolve("a/t1c.nii.gz").toString(), a.modalityPath(Modality.T1GD));
    assertEquals(root.resolve("a/fl.nii.gz").toString(), a.modalityPath(Modality.FLAIR));
    assertEquals(root.resolve("a/seg.nii.gz").toString(), a.segPath());
    assertEquals(other.resolve("b4.nii").toString(), r.cases().get(1).modalityPath(Modality.FLAIR));
    assertNull(r.cases().get(1).segPath());
    assertEquals(2, r.problems().size());
    assertEquals("../D", r.problems().get(0).caseId());
    assertEquals(csv + " line 7", r.problems().get(0).path());
    assertEquals("C", r.problems().get(1).caseId());
    assertEquals(
        "t1 file " + root.resolve("a/gone.nii.gz") + " does not exist",
        r.problems().get(1).reason());
  }

  @Test
  void aManifestWithoutTheRequiredColumnsIsRefusedNamingThem() throws IOException {
    Path csv = root.resolve("m.csv");
    Files.writeString(csv, "id,t1,t1ce,t2\n");
    assertEquals(
        "manifest "
            + csv
            + ": header row [id, t1, t1ce, t2] lacks column(s) [case_id, flair]"
            + " (expected case_id,t1,t1ce,t2,flair[,seg])",
        assertThrows(IOException.class, () -> discover(csv)).getMessage());
  }
}
