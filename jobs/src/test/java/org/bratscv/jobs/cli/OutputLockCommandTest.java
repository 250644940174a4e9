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
  void theLockNamesTheCommandLineAsTyped() {
    CommandLine cl = BratsCv.commandLine();
    cl.parseArgs("segment", "--models", "m", "--input", "in", "--output", "o", "--spark", "a=b c");
    CommandLine segment = cl.getSubcommands().get("segment");
    assertEquals(
        "brats-cv segment --models m --input in --output o --spark 'a=b c'",
        Runs.commandLine(segment.getCommandSpec()));
  }
}
