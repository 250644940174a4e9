package org.bratscv.model.optim;

/**
 * Pipeline B's schedule: one half-cosine from {@code base} at epoch 0 to {@code floor} at epoch
 * {@code period} (torch's {@code CosineAnnealingLR} with {@code T_max} = period, stepped once per
 * epoch). The paper anneals over the training epochs, so {@code period} defaults to their number.
 */
public record CosineAnnealing(double base, double floor, int period)
    implements LearningRateSchedule {

  public CosineAnnealing {
    if (!(base >= 0 && floor >= 0 && floor <= base)) {
      throw new IllegalArgumentException(
          "need 0 <= floor <= base, got base " + base + ", floor " + floor);
    }
    if (period <= 0) {
      throw new IllegalArgumentException("cosine period must be positive, got " + period);
    }
  }

  @Override
  public double learningRate(int epoch) {
    return LearningRateSchedule.cosine(base, floor, epoch, period);
  }
}
