package org.bratscv.jobs.spark;

import java.io.Serializable;
import java.util.Locale;

/**
 * Where one running training task stands, as the task last reported it: completed epochs, optimizer
 * steps of the epoch under way, the latest step loss and the seconds this attempt has run. A task
 * reports it through {@link TaskProgressAccumulator}; the driver reads it from executor heartbeats
 * while the task runs ({@link Progress}).
 *
 * @param label the task, e.g. {@code baseline/A/fold0}
 * @param epochsDone completed epochs, including those a resumed attempt found in its checkpoint
 * @param totalEpochs epochs of the task
 * @param stepsDone optimizer steps finished in the epoch under way
 * @param stepsPerEpoch optimizer steps of one epoch (0 before the first step)
 * @param loss loss of the latest step (NaN before the first)
 * @param seconds wall time of this attempt so far
 * @param startEpochs epochs already complete when this attempt started (resume or skip)
 */
public record TaskProgress(
    String label,
    int epochsDone,
    int totalEpochs,
    int stepsDone,
    int stepsPerEpoch,
    double loss,
    double seconds,
    int startEpochs)
    implements Serializable {

  /** A task that starts (or resumes) after {@code epochsDone} of {@code totalEpochs} epochs. */
  public static TaskProgress started(String label, int epochsDone, int totalEpochs) {
    return new TaskProgress(label, epochsDone, totalEpochs, 0, 0, Double.NaN, 0, epochsDone);
  }

  /** This progress after one more optimizer step. */
  public TaskProgress step(int step, int stepsPerEpoch, double loss, double seconds) {
    return new TaskProgress(
        label, epochsDone, totalEpochs, step + 1, stepsPerEpoch, loss, seconds, startEpochs);
  }

  /** This progress after epoch {@code epoch} (0-based) ended. */
  public TaskProgress epochEnded(int epoch, double seconds) {
    return new TaskProgress(
        label, epoch + 1, totalEpochs, 0, stepsPerEpoch, loss, seconds, startEpochs);
  }

  /** Completed epochs plus the finished fraction of the epoch under way. */
  public double epochs() {
    return epochsDone + partialEpoch();
  }

  /** The finished fraction of the epoch under way, in [0, 1]. */
  public double partialEpoch() {
    return stepsPerEpoch <= 0 || epochsDone >= totalEpochs
        ? 0
        : Math.min(1.0, (double) stepsDone / stepsPerEpoch);
  }

  /** Seconds per epoch of this attempt so far; NaN before its first step. */
  public double secondsPerEpoch() {
    double worked = epochs() - startEpochs;
    return worked <= 0 ? Double.NaN : seconds / worked;
  }

  /** Seconds this attempt still needs at its pace so far; NaN before its first step. */
  public double etaSeconds() {
    return secondsPerEpoch() * Math.max(0, totalEpochs - epochs());
  }

  /** Whether this report is later in the task's work than {@code other}. */
  public boolean isAheadOf(TaskProgress other) {
    if (epochsDone != other.epochsDone) {
      return epochsDone > other.epochsDone;
    }
    if (stepsDone != other.stepsDone) {
      return stepsDone > other.stepsDone;
    }
    return seconds > other.seconds;
  }

  /**
   * One line for the driver log (and the Spark UI's accumulator column): {@code baseline/A/fold0:
   * 2/5 epochs + 3/8 steps, loss 0.8123, 12.3 s/epoch, ETA 40s}.
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(label)
        .append(": ")
        .append(epochsDone)
        .append('/')
        .append(totalEpochs)
        .append(" epochs");
    if (stepsPerEpoch > 0 && epochsDone < totalEpochs) {
      b.append(" + ").append(stepsDone).append('/').append(stepsPerEpoch).append(" steps");
    }
    if (!Double.isNaN(loss)) {
      b.append(String.format(Locale.ROOT, ", loss %.4f", loss));
    }
    double perEpoch = secondsPerEpoch();
    if (!Double.isNaN(perEpoch)) {
      b.append(String.format(Locale.ROOT, ", %.1f s/epoch", perEpoch));
    }
    if (epochsDone < totalEpochs) {
      double eta = etaSeconds();
      b.append(", ETA ").append(Double.isNaN(eta) ? "-" : Progress.formatSeconds(eta));
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
