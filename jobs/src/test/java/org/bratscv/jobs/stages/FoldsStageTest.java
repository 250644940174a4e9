package org.bratscv.jobs.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.data.folds.FoldSplit;
import org.bratscv.jobs.io.OutputRoot;
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
}
