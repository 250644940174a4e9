package org.bratscv.model.train;

import org.bratscv.model.optim.CosineCycles;

/**
 * Fast stochastic weight averaging after the main phase (pipeline A): {@code cycles} cycles of
 * {@code cycleEpochs} epochs, each with a fresh optimizer and a cosine restarting at the
 * optimizer's rate; the weights are added to a running average after every {@code snapshotEvery}-th
 * epoch of a cycle. The final model is that average.
 *
 * @param cosinePeriod half-cosine length within a cycle (the paper: the cycle length; the public
 *     reference code: cycle + 10)
 * @param floor the rate the cosine decays towards
 * @param includeStartWeights also average the weights at the end of the main phase (the public
 *     reference code does; the paper's text averages only the saved snapshots)
 */
public record SwaConfig(
    int cycles,
    int cycleEpochs,
    int snapshotEvery,
    int cosinePeriod,
    double floor,
    OptimizerConfig optimizer,
    boolean includeStartWeights)
    implements java.io.Serializable {

  public SwaConfig {
    if (cycles <= 0 || cycleEpochs <= 0 || snapshotEvery <= 0 || cosinePeriod <= 0) {
      throw new IllegalArgumentException(
          "SWA needs positive cycles, cycle length, snapshot interval and period, got "
              + cycles
              + ", "
              + cycleEpochs
              + ", "
              + snapshotEvery
              + ", "
              + cosinePeriod);
    }
  }

  /**
   * The paper's fast SWA: lr 5e-5, 5 cycles of 30 epochs with cosine decay, snapshot every 3
   * epochs, Adam (torch defaults: betas 0.9/0.999, eps 1e-8) without weight decay.
   */
  public static SwaConfig paper() {
    return new SwaConfig(5, 30, 3, 30, 0, OptimizerConfig.adam(5e-5, 1e-8), false);
  }

  public int totalEpochs() {
    return cycles * cycleEpochs;
  }

  public CosineCycles schedule() {
    return new CosineCycles(optimizer.learningRate(), floor, cycleEpochs, cosinePeriod);
  }

  /** Whether the weights after SWA epoch {@code swaEpoch} (0-based within the phase) are kept. */
  public boolean snapshotAfter(int swaEpoch) {
    return (swaEpoch % cycleEpochs + 1) % snapshotEvery == 0;
  }

  /** Number of snapshots a complete SWA phase averages. */
  public int snapshots() {
    return cycles * (cycleEpochs / snapshotEvery) + (includeStartWeights ? 1 : 0);
  }
}
