package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bratscv.data.nifti.NiftiReader;
import org.bratscv.data.volume.Dims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthAndEvaluateCommandTest {
  @TempDir Path dir;

  @Test
  void synthWritesABrats2020ArchiveThatEvaluateCaseScores() throws Exception {
    CliRun synth =
        CliRun.of(
            "synth", "--out", dir.toString(), "--cases", "2", "--size", "40x36x32", "--seed", "5");
    assertEquals(0, synth.exitCode(), synth.err());
    Path c1 = dir.resolve("BraTS20_Training_001");
    for (String s : new String[] {"t1", "t1ce", "t2", "flair", "seg"}) {
      Path f = c1.resolve("BraTS20_Training_001_" + s + ".nii.gz");
      assertTrue(Files.exists(f), f.toString());
      assertEquals(new Dims(40, 36, 32), NiftiReader.withDefaults().readHeader(f).spatialDims());
    }
    String seg1 = c1.resolve("BraTS20_Training_001_seg.nii.gz").toString();
    String seg2 = dir.resolve("BraTS20_Training_002/BraTS20_Training_002_seg.nii.gz").toString();

    CliRun self = CliRun.of("evaluate-case", "--pred", seg1, "--gt", seg1, "--json");
    assertEquals(0, self.exitCode(), self.err());
    JsonNode j = new ObjectMapper().readTree(self.out());
    for (String r : new String[] {"ET", "TC", "WT"}) {
      assertEquals(1.0, j.get(r).get("dice").asDouble(), r);
      assertEquals(0.0, j.get(r).get("hd95").asDouble(), r);
    }

    CliRun other = CliRun.of("evaluate-case", "--pred", seg2, "--gt", seg1, "--json");
    JsonNode o = new ObjectMapper().readTree(other.out());
    assertTrue(o.get("WT").get("dice").asDouble() < 1.0);
    assertTrue(o.get("WT").get("hd95").asDouble() > 0);

    CliRun bench =
        CliRun.of("bench", "hd95", "--pred", seg2, "--gt", seg1, "--repeat", "2", "--json");
    assertEquals(0, bench.exitCode(), bench.err());
    assertTrue(new ObjectMapper().readTree(bench.out()).get("ms_per_case").asDouble() > 0);

    // README, "Metric conventions": the 2023+ scores of the same pair, with a challenge's rules
    CliRun met =
        CliRun.of(
            "evaluate-case",
            "--pred",
            seg2,
            "--gt",
            seg1,
            "--convention",
            "brats2023-met",
            "--json");
    assertEquals(0, met.exitCode(), met.err());
    JsonNode m = new ObjectMapper().readTree(met.out());
    assertEquals("brats2023-met", m.get("convention").asText());
    for (String r : new String[] {"ET", "TC", "WT"}) {
      double lw = m.get(r).get("lesionwise_dice").asDouble();
      assertTrue(lw >= 0 && lw <= 1, r + " " + lw);
      assertTrue(m.get(r).get("lesionwise_hd95").asDouble() >= 0, r);
    }
    assertTrue(o.get("WT").get("lesionwise_dice") == null, "brats2020 has no lesion-wise scores");
    CliRun text =
        CliRun.of("evaluate-case", "--pred", seg2, "--gt", seg1, "--convention", "brats2023-met");
    assertEquals(0, text.exitCode(), text.err());
    assertTrue(text.out().startsWith("convention brats2023-met"), text.out());
    assertTrue(text.out().contains("lesionwise_dice"), text.out());
    CliRun selfGli =
        CliRun.of(
            "evaluate-case", "--pred", seg1, "--gt", seg1, "--convention", "brats2023", "--json");
    JsonNode g = new ObjectMapper().readTree(selfGli.out());
    assertEquals("brats2023-gli", g.get("convention").asText());
    for (String r : new String[] {"ET", "TC", "WT"}) {
      assertEquals(1.0, g.get(r).get("lesionwise_dice").asDouble(), r);
      assertEquals(0.0, g.get(r).get("lesionwise_hd95").asDouble(), r);
    }
    CliRun bench23 =
        CliRun.of(
            "bench",
            "hd95",
            "--pred",
            seg2,
            "--gt",
            seg1,
            "--convention",
            "brats2023-gli",
            "--repeat",
            "2",
            "--json");
    assertEquals(0, bench23.exitCode(), bench23.err());
    assertTrue(new ObjectMapper().readTree(bench23.out()).get("ms_per_case").asDouble() > 0);
  }

  @Test
  void readmeMetricConventionCommandsScoreAPairOfLabelmapsLesionWise() throws Exception {
    CliRun synth =
        CliRun.of(
            "synth", "--out", dir.toString(), "--cases", "2", "--size", "40x36x32", "--seed", "5");
    assertEquals(0, synth.exitCode(), synth.err());
    String gt = dir.resolve("BraTS20_Training_001/BraTS20_Training_001_seg.nii.gz").toString();
    String pred = dir.resolve("BraTS20_Training_002/BraTS20_Training_002_seg.nii.gz").toString();
    List<List<String>> commands = ReadmeBlocks.commands("### Metric conventions");
    assertEquals(2, commands.size(), commands.toString());
    for (List<String> c : commands) {
      assertEquals(List.of("java", "-jar", "jobs/target/brats-cv.jar"), c.subList(0, 3));
      String[] args =
          c.subList(3, c.size()).stream()
              .map(a -> a.equals("P") ? pred : a.equals("G") ? gt : a)
              .toArray(String[]::new);
      CliRun r = CliRun.of(args);
      assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r.err());
      if (args[0].equals("evaluate-case")) {
        assertTrue(r.out().startsWith("convention brats2023-met"), r.out());
        assertTrue(r.out().contains("lesionwise_dice"), r.out());
      } else {
        assertTrue(r.out().contains("ms"), r.out());
      }
    }
  }

  @Test
  void sameSeedWritesTheSameBytes() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    CliRun.of("synth", "--out", a.toString(), "--cases", "1", "--size", "24x24x20", "--seed", "9");
    CliRun.of("synth", "--out", b.toString(), "--cases", "1", "--size", "24x24x20", "--seed", "9");
    String f = "BraTS20_Training_001/BraTS20_Training_001_flair.nii.gz";
    assertEquals(-1L, Files.mismatch(a.resolve(f), b.resolve(f)));
  }

  @Test
  void badInputsGiveOneLineErrorsAndExitCode2() {
    CliRun badSize = CliRun.of("synth", "--out", dir.toString(), "--cases", "1", "--size", "9x9");
    assertEquals(2, badSize.exitCode());
    assertTrue(badSize.err().contains("size must look like 240x240x155"), badSize.err());
    CliRun missing =
        CliRun.of(
            "evaluate-case",
            "--pred",
            dir.resolve("none.nii.gz").toString(),
            "--gt",
            dir.resolve("none.nii.gz").toString());
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("none.nii.gz"), missing.err());
    assertFalse(missing.err().contains("\tat "), "no stack trace by default");
  }
}
