package org.bratscv.model.optim;

/**
 * Learning rate per epoch, set on the optimizer before the epoch's first step (PyTorch's epoch-wise
 * schedulers behave the same way). Epochs count from 0 at the start of the phase the schedule
 * drives.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  /** The learning rate used throughout {@code epoch} (0-based). */
  double learningRate(int epoch);

  /**
   * This schedule scaled by a linear warm-up over its first {@code epochs} epochs: epoch {@code e}
   * gets {@code (e + 1) / (epochs + 1)} of this schedule's rate, epoch {@code epochs} and later the
   * full rate. The same as chaining torch's {@code LinearLR(start_factor = 1 / (epochs + 1),
   * total_iters = epochs)} with this schedule, both stepped once per epoch.
   */
  default LearningRateSchedule withWarmup(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("warm-up epochs must be >= 0, got " + epochs);
    }
    return epoch ->
        epoch < epochs ? learningRate(epoch) * (epoch + 1) / (epochs + 1) : learningRate(epoch);
  }

  /** The same rate at every epoch. */
  static LearningRateSchedule constant(double lr) {
    return epoch -> lr;
  }

  /**
   * Half-cosine from {@code base} at {@code t} = 0 to {@code floor} at {@code t} = {@code period},
   * as torch's {@code CosineAnnealingLR}: {@code floor + (base - floor) (1 + cos(pi t / period)) /
   * 2}; {@code t} beyond the period stays at the floor.
   */
  static double cosine(double base, double floor, int t, int period) {
    if (period <= 0) {
      throw new IllegalArgumentException("cosine period must be positive, got " + period);
    }
    int clamped = Math.max(0, Math.min(t, period));
    return floor + (base - floor) * (1 + Math.cos(Math.PI * clamped / period)) / 2;
  }
}
