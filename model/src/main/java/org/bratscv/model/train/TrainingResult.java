package org.bratscv.model.train;

import java.util.List;

/**
 * What a finished {@link FoldTrainer#train} returns. The block's parameters hold the final weights
 * when it returns; they are also in the checkpoint store under {@link FoldTrainer#FINAL}.
 *
 * @param history one row per epoch, including epochs done before a resume
 * @param finalWeights which weights were chosen
 * @param bestEpoch epoch with the lowest validation loss, -1 if never validated
 * @param bestValidationLoss that loss, NaN if never validated
 * @param swaSnapshots snapshots in the SWA average (0 without SWA)
 * @param resumedAfter the epoch a checkpoint resumed after, -1 for a fresh run
 */
public record TrainingResult(
    List<EpochLog> history,
    TrainingConfig.FinalWeights finalWeights,
    int bestEpoch,
    double bestValidationLoss,
    long swaSnapshots,
    int resumedAfter) {

  public TrainingResult {
    history = List.copyOf(history);
  }
}
