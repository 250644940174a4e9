package org.bratscv.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.io.RunLock;
import org.bratscv.jobs.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resume rule on a hand-made sweep output: run folders, markers and start times only. */
class UnfinishedSweepTest {
  @TempDir Path dir;

  private Path top() {
    return dir.resolve("sweeps");
  }

  /** A run folder started at {@code hour} o'clock (its sweep.yaml's time), finished or not. */
  private void run(String id, int hour, boolean finished) throws IOException {
    Path run = Files.createDirectories(top().resolve(id).resolve("variants").resolve("unet"));
    Path yaml = Files.writeString(top().resolve(id).resolve(RunFolder.SWEEP_YAML), "name: n\n");
    Files.setLastModifiedTime(yaml, FileTime.fromMillis(1_800_000_000_000L + hour * 3_600_000L));
    Files.writeString(run.resolve(RunFolder.DONE), id);
    if (finished) {
      Files.writeString(top().resolve(id).resolve(RunFolder.FINISHED), id + " finished");
    }
  }

  private Optional<String> unfinished(String tonight) throws IOException {
    OutputRoot top = new OutputRoot(top().toString());
    FileSystem fs = top.fileSystem(new Configuration());
    return UnfinishedSweep.newest(fs, top, tonight);
  }

  @Test
  void theRunStartedLastIsResumedWhenItLacksTheFinishedMarker() throws IOException {
    run("2026-11-25", 1, true);
    run("2026-11-26", 2, false);
    Files.writeString(top().resolve("LATEST"), "2026-11-25\n");
    Files.writeString(top().resolve(RunLock.FILE_NAME), "{}");
    assertEquals(Optional.of("2026-11-26"), unfinished("2026-11-27"));
  }

  @Test
  void nothingIsResumedWhenTheRunStartedLastFinished() throws IOException {
    run("2026-11-24", 1, false); // passed over by the nights after it: not resumed any more
    run("2026-11-25", 2, true);
    assertEquals(Optional.empty(), unfinished("2026-11-27"));
  }

  @Test
  void aRunFinishedWithFailuresIsNotResumed() throws IOException {
    run("2026-11-26", 2, true);
    // one variant failed: no DONE, but the run reached its end
    Files.createDirectories(top().resolve("2026-11-26").resolve("variants").resolve("wide"));
    assertEquals(Optional.empty(), unfinished("2026-11-27"));
  }

  @Test
  void startTimeNotTheNameDecidesWhichRunIsNewest() throws IOException {
    run("night-b", 1, false);
    run("night-a", 5, true); // a custom run id that sorts first but started last
    assertEquals(Optional.empty(), unfinished("2026-11-27"));
  }

  @Test
  void tonightsOwnRunFoldersAndFoldersWithoutASweepFileAreLeftOut() throws IOException {
    run("2026-11-26", 1, false);
    run("2026-11-27", 3, false); // tonight's: resumed by tonight's own run
    Files.createDirectories(top().resolve("notes"));
    Files.createDirectories(top().resolve("_tmp.latest"));
    assertEquals(Optional.of("2026-11-26"), unfinished("2026-11-27"));
  }

  @Test
  void anOutputThatDoesNotExistYetHasNothingToResume() throws IOException {
    assertEquals(Optional.empty(), unfinished("2026-11-27"));
  }
}
