package org.bratscv.jobs.run;

/**
 * What a rerun does where redoing a stale output is costly or ambiguous: a new fold split under
 * trained models, or {@code segment} into a folder made by another ensemble. Everywhere else a
 * stale output (its fingerprint differs from what the run would make now) is simply made again.
 */
public enum StaleOutputs {
  /** Stop with an error that names the difference and the two flags below (the default). */
  STOP,
  /** {@code --overwrite}: replace the stale outputs (retrain under the new split; segment anew). */
  OVERWRITE,
  /**
   * {@code --keep-stale}: keep them as they are (the old split and its models; the labelmaps the
   * other ensemble made, each row saying which ensemble made it).
   */
  KEEP;

  /** The flags to name in an error. */
  public static String flags(String overwriteMeans, String keepMeans) {
    return "rerun with --overwrite to " + overwriteMeans + ", or with --keep-stale to " + keepMeans;
  }
}
