package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.StaleOutputException;
import org.bratscv.jobs.run.StaleOutputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoldsStageTest {
  @TempDir Path dir;

  private static final List<String> IDS =
      List.of("c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09", "c10");

  @Test
  void seededSplitIsWrittenAndReadBackTheSame() throws IOException {
    OutputRoot out = new OutputRoot(dir.toString());
    FoldSplit s =
        new FoldsStage().run(new Configuration(), new FoldsStage.Settings(out, 5, 42, null), IDS);
    assertEquals(5, s.k());
    assertEquals(IDS, s.caseIds());
    assertEquals(s, FoldsStage.read(new Configuration(), out));
    FoldSplit again =
        new FoldsStage()
            .run(new Configuration(), new FoldsStage.Settings(out, 5, 42, null), reversed(IDS));
    assertEquals(s, again);
  }

  @Test
  void importedNnUnetSplitLosesCasesThatCannotBeUsed() throws IOException {
    Path nn = dir.resolve("splits_final.json");
    Files.writeString(
        nn,
        "[{\"train\": [\"c03\", \"c04\"], \"val\": [\"c01\", \"c02\"]},"
            + " {\"train\": [\"c01\", \"c02\"], \"val\": [\"c03\", \"c04\"]}]");
    OutputRoot out = new OutputRoot(dir.resolve("out").toString());
    FoldSplit s =
        new FoldsStage()
            .run(
                new Configuration(),
                new FoldsStage.Settings(out, 5, 1, nn.toString()),
                List.of("c01", "c02", "c03", "c05"));
    assertEquals(2, s.k());
    assertEquals(List.of("c01", "c02"), s.fold(0).val());
    assertEquals(List.of("c03"), s.fold(0).train());
    assertEquals(List.of("c03"), s.fold(1).val());
    assertFalse(s.caseIds().contains("c05"));
  }

  @Test
  void tooFewCasesForKFoldsIsAClearError() {
    OutputRoot out = new OutputRoot(dir.toString());
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new FoldsStage()
                    .run(
                        new Configuration(),
                        new FoldsStage.Settings(out, 5, 1, null),
                        List.of("a", "b")));
    assertEquals("folds: 2 usable labelled cases cannot make 5 folds", e.getMessage());
  }

  private static List<String> reversed(List<String> ids) {
    List<String> r = new java.util.ArrayList<>(ids);
    java.util.Collections.reverse(r);
    return r;
  }

  private FoldSplit split(OutputRoot out, List<String> ids, StaleOutputs stale) throws IOException {
    return new FoldsStage()
        .run(new Configuration(), new FoldsStage.Settings(out, 5, 42, null, stale), ids);
  }

  private static List<String> withNewCase() {
    List<String> ids = new java.util.ArrayList<>(IDS);
    ids.add("c11");
    return ids;
  }

  @Test
  void aNewSplitIsWrittenWhileNoModelWasTrainedUnderTheOldOne() throws IOException {
    OutputRoot out = new OutputRoot(dir.toString());
    split(out, IDS, StaleOutputs.STOP);
    FoldSplit now = split(out, withNewCase(), StaleOutputs.STOP);
    assertEquals(11, now.caseIds().size());
    assertEquals(now, FoldsStage.read(new Configuration(), out));
  }

  @Test
  void aNewSplitUnderTrainedModelsStopsNamingTheNewCasesAndTheFlags() throws IOException {
    OutputRoot out = new OutputRoot(dir.toString());
    FoldSplit old = split(out, IDS, StaleOutputs.STOP);
    Files.createDirectories(dir.resolve("train"));
    Files.writeString(dir.resolve("train/models.csv"), "variant\n");
    StaleOutputException e =
        assertThrows(
            StaleOutputException.class, () -> split(out, withNewCase(), StaleOutputs.STOP));
    assertTrue(e.getMessage().contains("1 new cases [c11]"), e.getMessage());
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    assertTrue(e.getMessage().contains("--keep-stale"), e.getMessage());
    assertEquals(old, FoldsStage.read(new Configuration(), out), "folds.json is left as it was");

    FoldSplit kept = split(out, withNewCase(), StaleOutputs.KEEP);
    assertEquals(old, kept, "--keep-stale keeps the split the models were trained under");
    assertEquals(old, FoldsStage.read(new Configuration(), out));

    FoldSplit redrawn = split(out, withNewCase(), StaleOutputs.OVERWRITE);
    assertEquals(11, redrawn.caseIds().size());
    assertEquals(redrawn, FoldsStage.read(new Configuration(), out));
  }

  @Test
  void theDifferenceOfTwoSplitsIsSaidInWords() throws IOException {
    OutputRoot out = new OutputRoot(dir.toString());
    FoldSplit a = split(out, IDS, StaleOutputs.STOP);
    FoldSplit b =
        new FoldsStage()
            .run(
                new Configuration(),
                new FoldsStage.Settings(new OutputRoot(dir.resolve("b").toString()), 5, 7, null),
                IDS.subList(0, 9));
    FoldSplit c =
        new FoldsStage()
            .run(
                new Configuration(),
                new FoldsStage.Settings(new OutputRoot(dir.resolve("c").toString()), 5, 7, null),
                IDS);
    assertEquals("1 cases no longer usable [c10]", FoldsStage.difference(a, b));
    assertEquals(
        "the same cases, assigned to other folds (seed or split file changed)",
        FoldsStage.difference(a, c));
  }
}
