package org.bratscv.model.train;

/**
 * One row of the training log: what happened in one epoch of one fold. Validation columns are NaN
 * in epochs without validation.
 *
 * @param epoch 0-based, counting the main phase and the SWA phase together
 * @param phase {@code main} or {@code swa}
 * @param trainLoss mean deep-supervision loss over the epoch's steps
 * @param validationLoss mean soft Dice loss of the main output over the held-out cases
 * @param diceEt mean Dice of ET over the held-out cases (threshold 0.5)
 * @param diceTc mean Dice of TC
 * @param diceWt mean Dice of WT
 * @param learningRate the rate used throughout the epoch
 * @param seconds wall time of the epoch, validation included
 */
public record EpochLog(
    int epoch,
    String phase,
    double trainLoss,
    double validationLoss,
    double diceEt,
    double diceTc,
    double diceWt,
    double learningRate,
    double seconds) {

  public boolean validated() {
    return !Double.isNaN(validationLoss);
  }
}
