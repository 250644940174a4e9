package org.bratscv.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Run commands on an output root that another run holds: refused with exit code 4. */
class OutputLockCommandTest {
  @TempDir Path dir;

  private RunLock holdLock(Path out, String command) throws Exception {
    return RunLock.acquire(new Configuration(), new OutputRoot(out.toString()), command);
  }

  @Test
  void aRunOnALockedOutputExitsWithTheLockCodeAndOneLineNamingTheHolder() throws Exception {
    Path out = dir.resolve("demo-out");
    try (RunLock held = holdLock(out, "brats-cv demo --out demo-out")) {
      CliRun r = CliRun.of("demo", "--out", out.toString(), "--cases", "2");
      assertEquals(Runs.LOCKED, r.exitCode(), r.err());
      assertEquals(
          "brats-cv demo: output "
              + out
              + " is locked by "
              + held.holder().describe()
              + "; that process is still running; if that process is gone, remove "
              + out.resolve(RunLock.FILE_NAME),
          r.err().strip());
      assertFalse(Files.exists(out.resolve("archive")), "the refused demo wrote nothing");
    }
  }

  @Test
  void aSparkRunIsRefusedOnALockedOutputAndReleasesItsLockWhenItFails() throws Exception {
    Path out = dir.resolve("segmented");
    String[] segment = {
      "segment",
      "--models",
      dir.resolve("no-run").toString(),
      "--input",
      dir.toString(),
      "--output",
      out.toString()
    };
    try (RunLock held = holdLock(out, "brats-cv segment --output segmented")) {
      CliRun refused = CliRun.of(segment);
      assertEquals(Runs.LOCKED, refused.exitCode(), refused.err());
      assertTrue(refused.err().contains("is locked by brats-cv segment --output segmented ("));
    }
    // unlocked: the command takes the lock, fails on the missing models, and lets the lock go
    CliRun failed = CliRun.of(segment);
    assertEquals(2, failed.exitCode(), failed.err());
    assertTrue(failed.err().contains("brats-cv segment: error: "), failed.err());
    assertFalse(Files.exists(out.resolve(RunLock.FILE_NAME)));
  }

  @Test
  void aSweepIsRefusedWhileAnEarlierNightHoldsItsWholeOutput() throws Exception {
    Path sweeps = dir.resolve("sweeps");
    Files.createDirectories(dir.resolve("train"));
    Files.writeString(
        dir.resolve("base.yaml"),
        "data: {train: " + dir.resolve("train") + "}\noutput: unused\npipelines: {A: {}}\n");
    Path sweepFile =
        Files.writeString(
            dir.resolve("sweep.yaml"),
            "name: n\nbase: base.yaml\noutput: "
                + sweeps
                + "\nbaseline: unet\nvariants: {unet: {}}\n");
    // last night's sweep, still running, locked the output (not only its own run folder)
    try (RunLock night1 = holdLock(sweeps, "brats-cv sweep --run-id 2026-11-26")) {
      CliRun r =
          CliRun.of(
              "sweep",
              "--config",
              sweepFile.toString(),
              "--run-id",
              "2026-11-27",
              "--resume-unfinished");
      assertEquals(Runs.LOCKED, r.exitCode(), r.err());
      assertTrue(r.err().contains("is locked by brats-cv sweep --run-id 2026-11-26 ("), r.err());
      assertFalse(Files.exists(sweeps.resolve("2026-11-27")), "tonight's run did not start");
    }
  }

  @Test
  void theLockNamesTheCommandLineAsTyped() {
    CommandLine cl = BratsCv.commandLine();
    cl.parseArgs("segment", "--models", "m", "--input", "in", "--output", "o", "--spark", "a=b c");
    CommandLine segment = cl.getSubcommands().get("segment");
    assertEquals(
        "brats-cv segment --models m --input in --output o --spark 'a=b c'",
        Runs.commandLine(segment.getCommandSpec()));
  }
}
