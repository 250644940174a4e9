package org.bratscv.jobs.sweep;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.bratscv.jobs.io.OutputRoot;
import org.bratscv.jobs.run.RunFolder;

/**
 * Which interrupted sweep run a nightly sweep resumes before its own. A run folder is finished when
 * its last start reached the end ({@value Sweep#FINISHED}, written after the comparison, removed
 * when the run starts again), whether or not some variant failed: a finished run's failures are
 * reported (exit code 3), and retrying them is a person's decision.
 *
 * <p>Only the run folder started last (its {@value Sweep#SWEEP_YAML} written last) is considered,
 * and not tonight's own: an older unfinished run was already passed over by a later night, so each
 * interrupted night is resumed at most once automatically (unless that resume is interrupted too).
 */
public final class UnfinishedSweep {
  private UnfinishedSweep() {}

  /**
   * The id of the run folder under {@code top} (a sweep's output) that was started last, if it did
   * not finish; {@code tonight}'s own folder is left out.
   */
  public static Optional<String> newest(FileSystem fs, OutputRoot top, String tonight)
      throws IOException {
    if (!fs.exists(top.path())) {
      return Optional.empty();
    }
    String newest = null;
    long newestStart = Long.MIN_VALUE;
    for (FileStatus s : fs.listStatus(top.path())) {
      String id = s.getPath().getName();
      if (!s.isDirectory() || id.equals(tonight) || !isRunId(id)) {
        continue;
      }
      long start;
      try {
        start = fs.getFileStatus(new Path(s.getPath(), RunFolder.SWEEP_YAML)).getModificationTime();
      } catch (FileNotFoundException notARun) {
        continue;
      }
      if (start > newestStart || (start == newestStart && id.compareTo(newest) > 0)) {
        newest = id;
        newestStart = start;
      }
    }
    if (newest == null || fs.exists(top.resolve(newest, RunFolder.FINISHED))) {
      return Optional.empty();
    }
    return Optional.of(newest);
  }

  private static boolean isRunId(String name) {
    if (OutputRoot.isTemporary(name)) {
      return false;
    }
    try {
      OutputRoot.checkPart(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
