package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bratscv.jobs.report.FakeRunRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  @TempDir Path dir;

  @Test
  void reportOfARootAndOfAConfigurationsOutput() throws Exception {
    Path root = FakeRunRoot.crossValidation(dir);
    CliRun byRoot = CliRun.of("report", "--root", root.toString());
    assertEquals(0, byRoot.exitCode(), byRoot.err());
    assertTrue(byRoot.out().contains("report/index.html"), byRoot.out());
    assertTrue(Files.isRegularFile(root.resolve("report/report.md")));

    Files.delete(root.resolve("report/index.html"));
    Path yaml = dir.resolve("run.yaml");
    Files.writeString(
        yaml,
        "data:\n  train: "
            + dir.resolve("archive/train")
            + "\noutput: nowhere\npipelines:\n  A:\n    epochs: 1\n");
    CliRun byConfig = CliRun.of("report", "--config", yaml.toString(), "--set", "output=" + root);
    assertEquals(0, byConfig.exitCode(), byConfig.err());
    assertTrue(Files.isRegularFile(root.resolve("report/index.html")));
  }

  @Test
  void aMissingRootIsOneErrorLine() {
    CliRun r = CliRun.of("report", "--root", dir.resolve("none").toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().startsWith("brats-cv report: error: no run outputs at "), r.err());
    CliRun neither = CliRun.of("report");
    assertEquals(2, neither.exitCode());
    assertTrue(
        neither.err().contains("--config") && neither.err().contains("--root"), neither.err());
  }
}
