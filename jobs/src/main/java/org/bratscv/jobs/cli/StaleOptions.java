package org.bratscv.jobs.cli;

import org.bratscv.jobs.run.StaleOutputs;
import picocli.CommandLine.Option;

/**
 * {@code --overwrite} and {@code --keep-stale}: what a rerun does where existing outputs were made
 * from something else and redoing them is costly or ambiguous (README, "Reruns and provenance").
 */
final class StaleOptions {
  @Option(
      names = "--overwrite",
      description =
          "Where existing outputs were made from something else and redoing them is costly (a new"
              + " fold split under trained models; segment into a folder of another ensemble):"
              + " redo them.")
  boolean overwrite;

  @Option(
      names = "--keep-stale",
      description =
          "In the same places: keep the existing outputs as they are (the old split and its"
              + " models; the other ensemble's labelmaps).")
  boolean keepStale;

  StaleOutputs policy() {
    if (overwrite && keepStale) {
      throw new IllegalArgumentException("--overwrite and --keep-stale exclude each other");
    }
    return overwrite ? StaleOutputs.OVERWRITE : keepStale ? StaleOutputs.KEEP : StaleOutputs.STOP;
  }
}
