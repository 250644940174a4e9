package org.bratscv.model.train;

import java.util.List;

/**
 * Progress callbacks of a {@link FoldTrainer} (the Spark stage logs them). Called on the training
 * thread; keep them quick and never throw.
 */
public interface TrainingListener {

  /** Does nothing. */
  TrainingListener NONE = new TrainingListener() {};

  /** Training resumes after {@code completedEpoch}, read from a checkpoint. */
  default void onResume(int completedEpoch) {}

  /**
   * Training resumes after {@code completedEpoch}; {@code history} holds the rows of epochs 0 to
   * {@code completedEpoch} from the checkpoint (the ones {@link #onEpoch} reported before the
   * resume, possibly in another process). Calls {@link #onResume(int)} unless overridden.
   */
  default void onResume(int completedEpoch, List<EpochLog> history) {
    onResume(completedEpoch);
  }

  /** One optimizer step finished. */
  default void onStep(int epoch, int step, int stepsPerEpoch, double loss) {}

  /**
   * One epoch finished and its checkpoint is written, so the row is final and reported once even
   * across retries (rows of epochs before a resume are in {@link TrainingResult#history()}).
   */
  default void onEpoch(EpochLog log) {}

  /** A checkpoint folder was written completely. */
  default void onCheckpoint(String dir) {}
}
