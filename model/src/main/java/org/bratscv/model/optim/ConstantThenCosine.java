package org.bratscv.model.optim;

/**
 * Pipeline A's main schedule: the base rate until {@code decayStart}, then a half-cosine over
 * {@code decayEpochs} epochs down to {@code floor}. With the paper's numbers (1e-4, 200 epochs,
 * cosine after epoch 100) that is {@code decayStart} = 100 and {@code decayEpochs} = 100: epochs
 * 0..100 run at 1e-4 and epoch 199 at 1e-4 (1 + cos(0.99 pi)) / 2, about 2.5e-8, reaching the floor
 * at the end of training.
 *
 * <p>The public reference code steps its cosine only after epochs with {@code epoch / 200 > 0.5},
 * i.e. one epoch later; set {@code decayStart} = 101 to reproduce it exactly.
 */
public record ConstantThenCosine(double base, double floor, int decayStart, int decayEpochs)
    implements LearningRateSchedule {

  public ConstantThenCosine {
    if (!(base >= 0 && floor >= 0 && floor <= base)) {
      throw new IllegalArgumentException(
          "need 0 <= floor <= base, got base " + base + ", floor " + floor);
    }
    if (decayStart < 0 || decayEpochs <= 0) {
      throw new IllegalArgumentException(
          "need decayStart >= 0 and decayEpochs > 0, got " + decayStart + ", " + decayEpochs);
    }
  }

  @Override
  public double learningRate(int epoch) {
    if (epoch < decayStart) {
      return base;
    }
    return LearningRateSchedule.cosine(base, floor, epoch - decayStart, decayEpochs);
  }
}
