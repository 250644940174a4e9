package org.bratscv.model.optim;

/**
 * The fast-SWA schedule: the rate restarts at {@code base} at the start of every cycle of {@code
 * cycleEpochs} epochs and follows a half-cosine of length {@code period} within it. The paper's
 * numbers: base 5e-5, cycles of 30 epochs, period 30 (the cosine would reach the floor at the next
 * restart). The public reference code uses a period of cycle + 10 = 40, so its rate never gets near
 * zero; set {@code period} = 40 to reproduce it.
 */
public record CosineCycles(double base, double floor, int cycleEpochs, int period)
    implements LearningRateSchedule {

  public CosineCycles {
    if (!(base >= 0 && floor >= 0 && floor <= base)) {
      throw new IllegalArgumentException(
          "need 0 <= floor <= base, got base " + base + ", floor " + floor);
    }
    if (cycleEpochs <= 0 || period <= 0) {
      throw new IllegalArgumentException(
          "cycle length and period must be positive, got " + cycleEpochs + ", " + period);
    }
  }

  /** Which cycle {@code epoch} belongs to (0-based). */
  public int cycle(int epoch) {
    return epoch / cycleEpochs;
  }

  /** Position of {@code epoch} within its cycle (0-based). */
  public int epochInCycle(int epoch) {
    return epoch % cycleEpochs;
  }

  @Override
  public double learningRate(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    return LearningRateSchedule.cosine(base, floor, epochInCycle(epoch), period);
  }
}
